package otlpwire

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// Policy decides what a decoding keeps and stamps: the sink's sampling,
// signal switches and metadata, which package convert implements and
// counts. The decoders ask it once per resource, span, log record and
// metric. KeepAll keeps everything as sent.
type Policy interface {
	// Resource returns the attributes to store as the resource of the
	// records that follow; it may add to attrs, which is the decoder's.
	Resource(attrs store.Attributes) store.Attributes
	// Span decides about one span, given its id fields as sent and its
	// number of events: whether to keep the span, and its events.
	Span(traceID, spanID []byte, events int) (keepSpan, keepEvents bool)
	// LogRecord decides about one log record, given its trace id field
	// and its event name (the field, else the event.name attribute):
	// whether to keep it as a log record, and as an event.
	LogRecord(traceID []byte, eventName string) (keepLog, keepEvent bool)
	// Metric decides about the points of one metric.
	Metric(points int) bool
	// Restart forgets the decisions made so far: DecodeTraces calls it
	// when it gives up its fast path part way and starts the request over
	// on protobuf's decoding, so that a policy that counts counts each
	// record once.
	Restart()
}

// KeepAll is the policy of data the sink's policy was applied to already:
// it keeps every record and stamps nothing.
var KeepAll Policy = keepAll{}

type keepAll struct{}

func (keepAll) Resource(attrs store.Attributes) store.Attributes { return attrs }
func (keepAll) Span([]byte, []byte, int) (keepSpan, keepEvents bool) {
	return true, true
}
func (keepAll) LogRecord([]byte, string) (keepLog, keepEvent bool) {
	return true, true
}
func (keepAll) Metric(int) bool { return true }
func (keepAll) Restart()        {}
