package convert

import (
	"fmt"
	"slices"
	"sync"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The encoded path serves stores that pass requests on (store.EncodedWriter):
// instead of decoding a request into records, the converter checks it,
// applies the sink's policy to its encoding, and hands it over as bytes.
// A request the policy leaves alone (every span kept, no metadata to add)
// goes on as it came, without a copy; otherwise it is rewritten, copying
// every kept span's bytes unchanged.

// Field numbers of the OTLP trace messages the policy looks into.
const (
	fieldResourceSpans = 1 // ExportTraceServiceRequest.resource_spans
	fieldResource      = 1 // ResourceSpans.resource
	fieldScopeSpans    = 2 // ResourceSpans.scope_spans
	fieldSpans         = 2 // ScopeSpans.spans
	fieldSpanTraceID   = 1
	fieldSpanID        = 2
	fieldSpanEvents    = 11
	fieldAttributes    = 1 // Resource.attributes
	fieldKVKey         = 1 // KeyValue.key
	fieldKVValue       = 2 // KeyValue.value
	fieldAnyString     = 1 // AnyValue.string_value
)

// traceRequestSchema is the schema of ExportTraceServiceRequest, with the
// messages validate reports to a spanCollector marked.
var traceRequestSchema = sync.OnceValue(func() *wireSchema {
	s := schemaOf((&coltracepb.ExportTraceServiceRequest{}).ProtoReflect().Descriptor())
	rs := s.fields[fieldResourceSpans].msg
	rs.role = roleResourceSpans
	rs.fields[fieldScopeSpans].msg.fields[fieldSpans].msg.role = roleSpan
	return s
})

// CanEncodeTraces reports whether TracesEncoded can apply this converter's
// policy: it cannot turn span events into stand-alone events, which a
// configuration that keeps events but not spans would need.
func (c *Converter) CanEncodeTraces() bool { return c.Signals.Traces }

// TracesEncoded applies the policy to an encoded ExportTraceServiceRequest
// and returns it as a batch of one store.Encoded (or an empty batch when
// nothing is kept). Bytes protobuf cannot decode get protobuf's error, as
// from TracesProto. raw must not change afterwards: the batch may share it.
func (c *Converter) TracesEncoded(raw []byte) (*store.Batch, error) {
	col := collectors.Get().(*spanCollector)
	defer col.release()
	col.reset(raw)
	if err := traceRequestSchema().validate(raw, 0, col, nil); err != nil {
		// The validator refuses exactly what protobuf refuses; let
		// protobuf say why, and should it accept the bytes after all, go
		// on with its canonical encoding of them.
		req := &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			return nil, err
		}
		if raw, err = proto.Marshal(req); err != nil {
			return nil, err
		}
		col.reset(raw)
		if err := traceRequestSchema().validate(raw, 0, col, nil); err != nil {
			return nil, fmt.Errorf("convert: protobuf's own encoding of the request does not validate: %w", err)
		}
	}
	e := traceEncoder{c: c, t: newTally()}
	e.scan(raw, col)
	e.t.flush(c.Telemetry)
	enc := store.Encoded{Signal: store.SignalTraces, Data: raw, Spans: e.keptSpans, Events: e.keptEvents}
	if e.rewrite {
		enc.Data = e.build(raw)
		if e.c.Heads { // The names must point into the request as built.
			e.heads, e.resources = SpanHeads(enc.Data)
		}
	}
	enc.Heads, enc.Resources = e.heads, e.resources
	if enc.Len() == 0 {
		return &store.Batch{}, nil
	}
	return &store.Batch{Encoded: []store.Encoded{enc}}, nil
}

// collectors keeps the span collectors validate fills, so that their
// slices are allocated once, not per request.
var collectors = sync.Pool{New: func() any { return &spanCollector{} }}

// release returns the collector to the pool without the request's bytes.
func (c *spanCollector) release() {
	clear(c.spans)
	c.reset(nil)
	collectors.Put(c)
}

// traceEncoder applies the policy to one request: scan decides what to keep,
// build writes the result when it differs from the request.
type traceEncoder struct {
	c                     *Converter
	t                     *tally
	keptSpans, keptEvents int
	rewrite               bool
	// drop marks, in request order, the spans not kept.
	drop []bool
	// heads and resources of the kept spans, when the converter makes them.
	heads     []store.SpanHead
	resources []store.Attributes
}

// stripEvents is true when spans are kept without their events.
func (e *traceEncoder) stripEvents() bool { return !e.c.Signals.Events }

// scan decides, span by span in request order, what to keep of a request
// whose spans validate collected.
func (e *traceEncoder) scan(req []byte, col *spanCollector) {
	e.rewrite = len(e.c.Metadata) > 0
	if e.c.Heads {
		e.heads = make([]store.SpanHead, 0, len(col.spans))
		eachBytes(req, fieldResourceSpans, func(rs []byte) {
			e.resources = append(e.resources, e.c.stamp(resourceOf(rs)))
		})
	}
	e.drop = make([]bool, len(col.spans))
	for i := range col.spans {
		sf := &col.spans[i]
		keepSpan, keepEvents := e.c.admit(e.t, sf.trace, sf.span, sf.events)
		if !keepSpan {
			e.drop[i] = true
			e.rewrite = true
			continue
		}
		e.keptSpans++
		if e.c.Heads {
			e.heads = append(e.heads, sf.head)
		}
		if keepEvents {
			e.keptEvents += sf.events
		} else if sf.events > 0 {
			e.rewrite = true
		}
	}
}

// eachBytes calls fn with every length-delimited field num of a validated
// message.
func eachBytes(msg []byte, num protowire.Number, fn func([]byte)) {
	for b := msg; len(b) > 0; {
		n2, typ, v, n := fieldAt(b)
		b = b[n:]
		if n2 == num && typ == protowire.BytesType {
			fn(v)
		}
	}
}

// build writes the request with only the kept spans (without their events
// when events are off) and the metadata in every resource. Other fields are
// copied as they are; ResourceSpans and ScopeSpans left without spans are
// left out.
func (e *traceEncoder) build(req []byte) []byte {
	out := make([]byte, 0, len(req)+64)
	next := 0 // index into drop, in scan's order
	var scratch, rsBuf, ssBuf []byte
	forFields(req, func(num protowire.Number, typ protowire.Type, field, v []byte) {
		if num != fieldResourceSpans || typ != protowire.BytesType {
			out = append(out, field...)
			return
		}
		rsBuf = rsBuf[:0]
		var resource []byte
		hasResource, spans := false, 0
		forFields(v, func(num protowire.Number, typ protowire.Type, field, v []byte) {
			switch {
			case typ != protowire.BytesType:
				rsBuf = append(rsBuf, field...)
			case num == fieldResource:
				resource, hasResource = append(resource, v...), true // protobuf merges repeats
			case num == fieldScopeSpans:
				ssBuf = ssBuf[:0]
				kept := 0
				forFields(v, func(num protowire.Number, typ protowire.Type, field, v []byte) {
					if num != fieldSpans || typ != protowire.BytesType {
						ssBuf = append(ssBuf, field...)
						return
					}
					dropped := e.drop[next]
					next++
					if dropped {
						return
					}
					kept++
					if e.stripEvents() {
						scratch = withoutField(scratch[:0], v, fieldSpanEvents)
						ssBuf = appendField(ssBuf, fieldSpans, scratch)
					} else {
						ssBuf = append(ssBuf, field...)
					}
				})
				if kept > 0 {
					spans += kept
					rsBuf = appendField(rsBuf, fieldScopeSpans, ssBuf)
				}
			default:
				rsBuf = append(rsBuf, field...)
			}
		})
		if spans == 0 {
			return
		}
		if hasResource || len(e.c.Metadata) > 0 {
			scratch = e.c.stampEncoded(scratch[:0], resource)
			out = protowire.AppendTag(out, fieldResourceSpans, protowire.BytesType)
			out = protowire.AppendVarint(out, uint64(len(rsBuf)+protowire.SizeTag(fieldResource)+protowire.SizeBytes(len(scratch))))
			out = appendField(out, fieldResource, scratch)
			out = append(out, rsBuf...)
		} else {
			out = appendField(out, fieldResourceSpans, rsBuf)
		}
	})
	return out
}

// forFields calls fn with every field of a validated message: its number,
// wire type, whole encoding (tag included) and, for length-delimited
// fields, its contents.
func forFields(msg []byte, fn func(num protowire.Number, typ protowire.Type, field, v []byte)) {
	for b := msg; len(b) > 0; {
		num, typ, v, n := fieldAt(b)
		fn(num, typ, b[:n], v)
		b = b[n:]
	}
}

func appendField(dst []byte, num protowire.Number, v []byte) []byte {
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendBytes(dst, v)
}

// withoutField appends msg to dst without any occurrence of field num.
func withoutField(dst, msg []byte, num protowire.Number) []byte {
	forFields(msg, func(n protowire.Number, _ protowire.Type, field, _ []byte) {
		if n != num {
			dst = append(dst, field...)
		}
	})
	return dst
}

// stampEncoded appends to dst the Resource encoded in res with the metadata
// added as string attributes, never overriding a key the resource carries.
func (c *Converter) stampEncoded(dst, res []byte) []byte {
	dst = append(dst, res...)
	if len(c.Metadata) == 0 {
		return dst
	}
	taken := map[string]bool{}
	eachBytes(res, fieldAttributes, func(kv []byte) {
		var key []byte
		eachBytes(kv, fieldKVKey, func(k []byte) { key = k })
		taken[string(key)] = true
	})
	keys := make([]string, 0, len(c.Metadata))
	for k := range c.Metadata {
		if !taken[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // a stable encoding for the same request
	var kv, val []byte
	for _, k := range keys {
		val = protowire.AppendTag(val[:0], fieldAnyString, protowire.BytesType)
		val = protowire.AppendString(val, c.Metadata[k])
		kv = protowire.AppendTag(kv[:0], fieldKVKey, protowire.BytesType)
		kv = protowire.AppendString(kv, k)
		kv = appendField(kv, fieldKVValue, val)
		dst = appendField(dst, fieldAttributes, kv)
	}
	return dst
}
