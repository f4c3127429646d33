// Package convert applies the sink's policy to OTLP export requests on
// their way to the store: trace sampling, the per-signal switches, and the
// backend's metadata stamped into every record's resource, counting what
// becomes of each record. The OTLP encoding itself, and the mapping of OTLP
// onto the store's records, are package otlpwire's; convert decides what
// otlpwire keeps.
package convert

import (
	"fmt"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Signals say which kinds of records the sink keeps.
type Signals struct {
	Traces  bool
	Events  bool
	Metrics bool
	Logs    bool
}

// Converter maps OTLP requests to store batches. It is safe for concurrent
// use once built.
type Converter struct {
	Sampler  sampler.Sampler
	Signals  Signals
	Metadata map[string]string
	// Telemetry counts what was received, sampled out and dropped; required.
	Telemetry *sinkmetrics.Metrics
	// Encoded hands trace requests over in their encoding (TracesEncoded)
	// rather than as records, where CanEncodeTraces allows: for stores
	// that pass requests on (store.EncodedWriter).
	Encoded bool
	// Heads fills Encoded.Heads and Encoded.Resources, for stores that
	// index the spans of the requests they keep (store.SpanHeadReader).
	Heads bool
	// LogEvents makes events of the log records that carry an event name,
	// besides keeping them as log records: for stores that answer queries.
	// A store that forwards (otlp) sends each record on once, as a log.
	LogEvents bool
}

// Converted is one converted export request: the records to store, and the
// request's records the policy refused as invalid, which the sender is told
// of (OTLP's partial success). Records the policy leaves out on purpose
// (sampled out, signal switched off) are not refused.
type Converted struct {
	*store.Batch
	// Invalid counts the refused records, as OTLP counts them (spans,
	// log records, data points).
	Invalid int
	// Reason says why they were refused; empty when none were.
	Reason string
}

// converted finishes a request: it counts the outcomes and says what was
// refused.
func (p policy) converted(b *store.Batch) Converted {
	p.t.flush(p.c.Telemetry)
	out := Converted{Batch: b, Invalid: p.t.count(sinkmetrics.SignalSpans, sinkmetrics.ReasonInvalid)}
	if out.Invalid > 0 {
		out.Reason = fmt.Sprintf("%d spans without a valid trace id (16 bytes, not all zero) and span id (8 bytes, not all zero) were dropped", out.Invalid)
	}
	return out
}

// Traces converts a decoded trace export: spans, and their events as store
// events. Spans of sampled-out traces are dropped together with their
// events.
func (c *Converter) Traces(req *coltracepb.ExportTraceServiceRequest) Converted {
	p := c.policy()
	return p.converted(otlpwire.Traces(req, p))
}

// TracesProto converts an encoded ExportTraceServiceRequest, as
// proto.Unmarshal followed by Traces would, with the same error for bytes
// protobuf cannot decode.
func (c *Converter) TracesProto(raw []byte) (Converted, error) {
	p := c.policy()
	b, err := otlpwire.DecodeTraces(raw, p)
	if err != nil {
		return Converted{}, err
	}
	return p.converted(b), nil
}

// Logs converts a log export: every record is a log record, and those that
// carry an event name are events too (LogEvents). A record tied to a trace
// follows that trace's sampling decision.
func (c *Converter) Logs(req *collogspb.ExportLogsServiceRequest) Converted {
	p := c.policy()
	return p.converted(otlpwire.Logs(req, p))
}

// Metrics converts a metrics export: one store.Metric per data point.
// Metrics are never sampled.
func (c *Converter) Metrics(req *colmetricspb.ExportMetricsServiceRequest) Converted {
	p := c.policy()
	return p.converted(otlpwire.Metrics(req, p))
}

// policy is the Converter's otlpwire.Policy for one request, whose
// outcomes it tallies.
type policy struct {
	c *Converter
	t *tally
}

func (c *Converter) policy() policy { return policy{c: c, t: newTally()} }

// Resource stamps the metadata in, never overriding a key the resource
// already carries.
func (p policy) Resource(attrs store.Attributes) store.Attributes {
	for k, v := range p.c.Metadata {
		if attrs == nil {
			attrs = store.Attributes{}
		}
		if _, taken := attrs[k]; !taken {
			attrs[k] = v
		}
	}
	return attrs
}

// Span counts what becomes of a span and its events (invalid, sampled out,
// disabled) and says which of them to keep.
func (p policy) Span(trace, span []byte, events int) (keepSpan, keepEvents bool) {
	t, c := p.t, p.c
	t.add(sinkmetrics.SignalSpans, received, 1)
	t.add(sinkmetrics.SignalEvents, received, events)
	id, ok := otlpwire.TraceID(trace)
	switch {
	case !ok || !otlpwire.ValidSpanID(span):
		t.add(sinkmetrics.SignalSpans, sinkmetrics.ReasonInvalid, 1)
		t.add(sinkmetrics.SignalEvents, sinkmetrics.ReasonInvalid, events)
		return false, false
	case !c.Sampler.Keep(id):
		t.add(sinkmetrics.SignalSpans, sampled, 1)
		t.add(sinkmetrics.SignalEvents, sampled, events)
		return false, false
	}
	if !c.Signals.Traces {
		t.add(sinkmetrics.SignalSpans, sinkmetrics.ReasonDisabled, 1)
	}
	if !c.Signals.Events {
		t.add(sinkmetrics.SignalEvents, sinkmetrics.ReasonDisabled, events)
	}
	return c.Signals.Traces, c.Signals.Events
}

// LogRecord keeps a record whose trace, if any, is sampled in: as a log
// record while logs are on, and as an event when it has an event name while
// events are on.
func (p policy) LogRecord(trace []byte, eventName string) (keepLog, keepEvent bool) {
	t, c := p.t, p.c
	asEvent := eventName != "" && c.LogEvents
	t.add(sinkmetrics.SignalLogs, received, 1)
	if asEvent {
		t.add(sinkmetrics.SignalEvents, received, 1)
	}
	if id, traced := otlpwire.TraceID(trace); traced && !c.Sampler.Keep(id) {
		t.add(sinkmetrics.SignalLogs, sampled, 1)
		if asEvent {
			t.add(sinkmetrics.SignalEvents, sampled, 1)
		}
		return false, false
	}
	if !c.Signals.Logs {
		t.add(sinkmetrics.SignalLogs, sinkmetrics.ReasonDisabled, 1)
	}
	if asEvent && !c.Signals.Events {
		t.add(sinkmetrics.SignalEvents, sinkmetrics.ReasonDisabled, 1)
	}
	return c.Signals.Logs, asEvent && c.Signals.Events
}

// Restart forgets the counts of a decoding given up.
func (p policy) Restart() { *p.t = tally{} }

// Metric keeps the points of a metric while metrics are on.
func (p policy) Metric(points int) bool {
	p.t.add(sinkmetrics.SignalMetrics, received, points)
	if !p.c.Signals.Metrics {
		p.t.add(sinkmetrics.SignalMetrics, sinkmetrics.ReasonDisabled, points)
		return false
	}
	return true
}
