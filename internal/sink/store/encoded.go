package store

// Signal names the OTLP service an encoded request belongs to.
type Signal uint8

// The OTLP signals.
const (
	SignalTraces Signal = iota + 1
	SignalMetrics
	SignalLogs
)

// Encoded is one OTLP export request in its protobuf encoding (an
// ExportTraceServiceRequest for SignalTraces), with the sink's policy
// already applied to it: sampled-out and invalid spans removed, disabled
// signals removed, the metadata stamped into every resource. It is always
// a well-formed message. Requests of one signal may be concatenated into
// one: their only field is repeated, so protobuf merges them.
//
// Spans, Events and Metrics count the records it holds as the sink counts
// them (span events are events). Data is never modified once built.
//
// Heads and Resources are filled for stores that ask (SpanHeadReader):
// the head of every span in Data, in order, so that a store that indexes
// spans need not walk Data again.
type Encoded struct {
	Signal    Signal
	Data      []byte
	Spans     int
	Events    int
	Metrics   int
	Heads     []SpanHead
	Resources []Attributes
}

// SpanHead is what a store can index of an encoded span without decoding
// it: what trace rows and span listings need first.
type SpanHead struct {
	TraceID [16]byte
	SpanID  uint64
	Start   int64 // Unix nanoseconds
	End     int64
	// NameAt and NameLen locate the span's name in Encoded.Data.
	NameAt, NameLen uint32
	// Resource indexes Encoded.Resources: the span's resource attributes,
	// the metadata included.
	Resource int32
	// HasParent is false for a root span (no parent id, or an all-zero one).
	HasParent bool
	Failed    bool // status code ERROR
}

// Name is the span's name, in data (the Encoded.Data the head was read
// from).
func (h *SpanHead) Name(data []byte) []byte { return data[h.NameAt : h.NameAt+h.NameLen] }

// SpanHeadReader is implemented by EncodedWriter stores that index the
// spans of the requests they keep: ReadsSpanHeads asks the sink to fill
// Encoded.Heads and Encoded.Resources.
type SpanHeadReader interface {
	ReadsSpanHeads() bool
}

// Len is the number of records the request holds.
func (e *Encoded) Len() int { return e.Spans + e.Events + e.Metrics }

// EncodedWriter is implemented by stores whose Write takes Batch.Encoded:
// stores that pass requests on as they are (the otlp store) rather than
// decoding them into records. The sink gives Encoded requests to no other
// store; it decodes them into records instead. WritesEncoded reports
// whether this store, as configured, wants them.
type EncodedWriter interface {
	WritesEncoded() bool
}
