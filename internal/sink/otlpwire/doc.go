// Package otlpwire is the sink's one home for OTLP's protobuf encoding and
// for the mapping of OTLP onto the store's records. Every field number it
// reads or writes is a named constant (fields.go), checked against the
// protobuf descriptors by a test; every walk over an encoding goes through
// one field iterator, Next.
//
// Requests reach the stores on one of these paths:
//
//   - Records, decoded fast (DecodeTraces): the encoding is read straight
//     into store records, without building protobuf's message tree, for the
//     encodings exporters send. Anything else (a field repeated that
//     protobuf would merge, a value kind it does not read, malformed bytes)
//     makes it start over with proto.Unmarshal and Traces, so the records
//     and the errors are protobuf's in every case. The sqlite and
//     postgresql stores get trace requests this way.
//   - Records, decoded by protobuf (Traces, Logs, Metrics): the mapping
//     from decoded OTLP messages, for JSON requests, logs and metrics.
//   - Encoded (ValidateTraces, then RewriteTraces when the policy changes
//     anything): for stores that keep or forward requests (memory, otlp),
//     the request is checked to be exactly what proto.Unmarshal accepts
//     (a validator compiled from the descriptors, with short forms for the
//     common encodings of attributes and spans) and its spans collected in
//     the same pass (SpanCollector: ids, event counts, the heads memory
//     indexes). It is handed on as bytes; when spans are dropped, events
//     stripped or metadata stamped, RewriteTraces copies the kept spans'
//     bytes unchanged into a new request. SpanHeads reads the heads of a
//     request again, and DecodeTraces with KeepAll decodes it when a query
//     needs the spans.
//   - Encoding (EncodeSpans): records back into a request, for stores that
//     keep or forward requests and are given records.
//
// Why the encoded path: the collector decodes every span into its own
// model and encodes it again; checking the bytes and passing them on costs
// several times less per span (docs/performance.md).
//
// The decoders apply no policy of their own: a Policy (the sink's
// sampling, signal switches and metadata, package convert) decides what
// each keeps; KeepAll keeps everything.
package otlpwire
