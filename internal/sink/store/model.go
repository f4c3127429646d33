package store

import "time"

// Trace statuses. A trace is "failed" when any of its spans has status
// SpanStatusError, and "completed" otherwise.
const (
	TraceCompleted = "completed"
	TraceFailed    = "failed"
)

// Span statuses, from OTLP's Status.Code.
const (
	SpanStatusUnset = "unset"
	SpanStatusOK    = "ok"
	SpanStatusError = "error"
)

// Metric aggregation types, from the OTLP data point kind.
const (
	AggregationGauge     = "gauge"
	AggregationSum       = "sum"
	AggregationHistogram = "histogram"
	AggregationSummary   = "summary"
)

// Attribute keys of histogram and summary points, whose Value is the sum of
// their observations: the number of observations, and their minimum and
// maximum when the exporter sent them.
const (
	AttrCount = "count"
	AttrMin   = "min"
	AttrMax   = "max"
)

// Event types given to events that carry no "event.type" attribute.
const (
	EventTypeSpan = "span_event"
	EventTypeLog  = "log"
)

// Attributes are OTLP attribute values decoded to JSON-compatible Go values:
// string, bool, int64, float64, []any, map[string]any or []byte.
// Stores that keep JSON (sqlite, postgresql) return []byte values as their
// base64 string, and NaN or infinite floats as the strings "NaN", "+Inf"
// and "-Inf", because JSON has no such values; everything else round-trips
// with its type.
type Attributes map[string]any

// Batch is the unit of Write: records of any signal, in any order. Trace rows
// are not part of a batch; every store derives them from the spans it holds.
//
// Encoded holds whole OTLP requests instead of records; only stores that
// implement EncodedWriter are given any (see there).
type Batch struct {
	Spans   []Span
	Events  []Event
	Metrics []Metric
	Logs    []LogRecord
	Encoded []Encoded
}

// Len is the number of records in the batch, those of Encoded included.
func (b *Batch) Len() int {
	n := len(b.Spans) + len(b.Events) + len(b.Metrics) + len(b.Logs)
	for i := range b.Encoded {
		n += b.Encoded[i].Len()
	}
	return n
}

// Trace is the seed's trace row: the set of spans with one trace id.
//
// Name is the root span's name (the span without a parent), empty until the
// root span arrives. StartTime and EndTime are the minimum start and maximum
// end over the trace's spans; Duration is EndTime-StartTime in seconds.
// Status is TraceFailed when any span failed, else TraceCompleted.
// Attributes are the resource attributes of the trace's spans; when spans
// disagree on a key, the first one written wins. SpanCount counts the spans.
type Trace struct {
	TraceID    string     `json:"traceId"`
	Name       string     `json:"name"`
	StartTime  time.Time  `json:"startTime"`
	EndTime    time.Time  `json:"endTime"`
	Duration   float64    `json:"duration"`
	Status     string     `json:"status"`
	SpanCount  int        `json:"spanCount"`
	Attributes Attributes `json:"attributes,omitempty"`
}

// Span is one OTLP span. TraceID is 32 lowercase hex digits, SpanID and
// ParentSpanID 16 (ParentSpanID is empty for a root span). Duration is in
// seconds. Resource holds the resource attributes (with the backend's
// metadata stamped in), Attributes the span's own.
type Span struct {
	TraceID       string     `json:"traceId"`
	SpanID        string     `json:"spanId"`
	ParentSpanID  string     `json:"parentSpanId,omitempty"`
	Name          string     `json:"name"`
	Kind          string     `json:"kind"`
	StartTime     time.Time  `json:"startTime"`
	EndTime       time.Time  `json:"endTime"`
	Duration      float64    `json:"duration"`
	Status        string     `json:"status"`
	StatusMessage string     `json:"statusMessage,omitempty"`
	Scope         string     `json:"scope,omitempty"`
	Attributes    Attributes `json:"attributes,omitempty"`
	Resource      Attributes `json:"resource,omitempty"`
}

// Event is a span event or an OTLP log record that carries an event name.
// EventID is computed from the event's contents (ContentID: 32 hex digits),
// so writing the same batch twice, or converting the same request twice,
// stores it once. TraceID and
// SpanID are empty when the record is not tied to a span.
type Event struct {
	EventID    string     `json:"eventId"`
	TraceID    string     `json:"traceId,omitempty"`
	SpanID     string     `json:"spanId,omitempty"`
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Timestamp  time.Time  `json:"timestamp"`
	Attributes Attributes `json:"attributes,omitempty"`
	Resource   Attributes `json:"resource,omitempty"`
}

// Metric is one OTLP metric data point. MetricID is computed from the
// point's contents, like Event.EventID. Value is the gauge or sum value; for
// histograms and summaries it is the sum of the observations, with the count
// in Attributes["count"]. TraceID is set from an exemplar when there is one.
type Metric struct {
	MetricID        string     `json:"metricId"`
	TraceID         string     `json:"traceId,omitempty"`
	Name            string     `json:"name"`
	Value           float64    `json:"value"`
	Unit            string     `json:"unit,omitempty"`
	AggregationType string     `json:"aggregationType"`
	Timestamp       time.Time  `json:"timestamp"`
	Attributes      Attributes `json:"attributes,omitempty"`
	Resource        Attributes `json:"resource,omitempty"`
}

// TraceDetail is one trace with all of its spans, ordered by start time.
type TraceDetail struct {
	Trace Trace  `json:"trace"`
	Spans []Span `json:"spans"`
}

// Aggregate is one bucket of a metric aggregation. Percentiles are linear
// interpolations between the closest ranks (PostgreSQL's percentile_cont).
type Aggregate struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
	Sum   float64   `json:"sum"`
	Avg   float64   `json:"avg"`
	Min   float64   `json:"min"`
	Max   float64   `json:"max"`
	P50   float64   `json:"p50"`
	P95   float64   `json:"p95"`
	P99   float64   `json:"p99"`
}

// PruneResult counts what a retention pass deleted.
type PruneResult struct {
	Traces  int64 `json:"traces"`
	Spans   int64 `json:"spans"`
	Events  int64 `json:"events"`
	Metrics int64 `json:"metrics"`
	Logs    int64 `json:"logs"`
}
