package convert

import (
	"encoding/hex"
	"strings"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Traces converts a trace export: spans, and their events as store events.
// Spans of sampled-out traces are dropped together with their events.
func (c *Converter) Traces(req *coltracepb.ExportTraceServiceRequest) *store.Batch {
	b, t := &store.Batch{}, newTally()
	for _, rs := range req.GetResourceSpans() {
		res := c.resource(rs.GetResource())
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				c.addSpan(b, t, sp, ss.GetScope().GetName(), res)
			}
		}
	}
	t.flush(c.Telemetry)
	return b
}

func (c *Converter) addSpan(b *store.Batch, t *tally, sp *tracepb.Span, scope string, res store.Attributes) {
	keepSpan, keepEvents := c.admit(t, sp.GetTraceId(), sp.GetSpanId(), len(sp.GetEvents()))
	if keepSpan {
		b.Spans = append(b.Spans, span(sp, scope, res))
	}
	if keepEvents {
		b.Events = append(b.Events, spanEvents(sp, res)...)
	}
}

// admit counts what becomes of a span and its events (invalid, sampled out,
// disabled) and says which of them to keep.
func (c *Converter) admit(t *tally, trace, span []byte, events int) (keepSpan, keepEvents bool) {
	t.add(sinkmetrics.SignalSpans, received, 1)
	t.add(sinkmetrics.SignalEvents, received, events)
	id, ok := traceID(trace)
	switch {
	case !ok || !validSpanID(span):
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

func span(sp *tracepb.Span, scope string, res store.Attributes) store.Span {
	start, end := timestamp(sp.GetStartTimeUnixNano()), timestamp(sp.GetEndTimeUnixNano())
	return store.Span{
		TraceID:       hex.EncodeToString(sp.GetTraceId()),
		SpanID:        hex.EncodeToString(sp.GetSpanId()),
		ParentSpanID:  spanID(sp.GetParentSpanId()),
		Name:          sp.GetName(),
		Kind:          spanKind(sp.GetKind()),
		StartTime:     start,
		EndTime:       end,
		Duration:      end.Sub(start).Seconds(),
		Status:        spanStatus(sp.GetStatus().GetCode()),
		StatusMessage: sp.GetStatus().GetMessage(),
		Scope:         scope,
		Attributes:    attributes(sp.GetAttributes()),
		Resource:      res,
	}
}

func spanEvents(sp *tracepb.Span, res store.Attributes) []store.Event {
	events := make([]store.Event, 0, len(sp.GetEvents()))
	for _, ev := range sp.GetEvents() {
		attrs := attributes(ev.GetAttributes())
		events = append(events, store.Event{
			EventID:    newID(),
			TraceID:    hex.EncodeToString(sp.GetTraceId()),
			SpanID:     hex.EncodeToString(sp.GetSpanId()),
			Type:       eventType(attrs, store.EventTypeSpan),
			Name:       ev.GetName(),
			Timestamp:  timestamp(ev.GetTimeUnixNano()),
			Attributes: attrs,
			Resource:   res,
		})
	}
	return events
}

// spanKind renders SPAN_KIND_SERVER as "server".
func spanKind(k tracepb.Span_SpanKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "SPAN_KIND_"))
}

func spanStatus(c tracepb.Status_StatusCode) string {
	switch c {
	case tracepb.Status_STATUS_CODE_OK:
		return store.SpanStatusOK
	case tracepb.Status_STATUS_CODE_ERROR:
		return store.SpanStatusError
	default:
		return store.SpanStatusUnset
	}
}
