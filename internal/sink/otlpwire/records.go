package otlpwire

import (
	"encoding/hex"
	"strings"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Attribute keys with a meaning to the mapping of OTLP onto records.
const (
	AttrEventName = "event.name"
	AttrEventType = "event.type"
)

// Traces maps a decoded trace export onto records: spans, and their events
// as store events, as far as the policy keeps them.
func Traces(req *coltracepb.ExportTraceServiceRequest, p Policy) *store.Batch {
	b := &store.Batch{}
	for _, rs := range req.GetResourceSpans() {
		res := p.Resource(Attributes(rs.GetResource().GetAttributes()))
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				keepSpan, keepEvents := p.Span(sp.GetTraceId(), sp.GetSpanId(), len(sp.GetEvents()))
				if keepSpan {
					b.Spans = append(b.Spans, span(sp, ss.GetScope().GetName(), res))
				}
				if keepEvents {
					b.Events = append(b.Events, spanEvents(sp, res)...)
				}
			}
		}
	}
	return b
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
		Attributes:    Attributes(sp.GetAttributes()),
		Resource:      res,
	}
}

func spanEvents(sp *tracepb.Span, res store.Attributes) []store.Event {
	events := make([]store.Event, 0, len(sp.GetEvents()))
	for _, ev := range sp.GetEvents() {
		attrs := Attributes(ev.GetAttributes())
		events = append(events, store.Event{
			TraceID:    hex.EncodeToString(sp.GetTraceId()),
			SpanID:     hex.EncodeToString(sp.GetSpanId()),
			Type:       eventType(attrs, store.EventTypeSpan),
			Name:       ev.GetName(),
			Timestamp:  timestamp(ev.GetTimeUnixNano()),
			Attributes: attrs,
			Resource:   res,
		})
		events[len(events)-1].EventID = eventID(&events[len(events)-1])
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

// eventID is an event's id by content (store.ContentID): the same event
// sent again, by an exporter's retry, is stored once.
func eventID(e *store.Event) string {
	return store.NewContentID("event").Attributes(e.Resource).String(e.TraceID).String(e.SpanID).
		String(e.Type).String(e.Name).Time(e.Timestamp).Attributes(e.Attributes).Sum()
}

// logID is a log record's id by content.
func logID(l *store.LogRecord) string {
	return store.NewContentID("log").Attributes(l.Resource).String(l.Scope).Time(l.Timestamp).
		Time(l.ObservedTimestamp).Int(int64(l.SeverityNumber)).String(l.SeverityText).Value(l.Body).
		String(l.EventName).String(l.TraceID).String(l.SpanID).Int(int64(l.Flags)).Attributes(l.Attributes).Sum()
}

// metricID is a metric point's id by content.
func metricID(m *store.Metric) string {
	return store.NewContentID("metric").Attributes(m.Resource).String(m.Name).String(m.Unit).
		String(m.AggregationType).Time(m.Timestamp).Float(m.Value).String(m.TraceID).Attributes(m.Attributes).Sum()
}

// TraceID decodes an OTLP trace id; ok is false unless it is 16 bytes and
// not all zero, as the W3C trace context requires.
func TraceID(b []byte) (id [16]byte, ok bool) {
	if len(b) != 16 {
		return id, false
	}
	copy(id[:], b)
	return id, id != [16]byte{}
}

// ValidSpanID reports whether b is a span id: 8 bytes, not all zero.
func ValidSpanID(b []byte) bool { return validSpanID(b) }

// spanID renders an 8-byte span id; empty when absent or all zero.
func spanID(b []byte) string {
	if !validSpanID(b) {
		return ""
	}
	return hex.EncodeToString(b)
}

func timestamp(ns uint64) time.Time {
	return time.Unix(0, int64(ns)).UTC()
}

// Attributes decodes OTLP key-values; nil when there are none.
func Attributes(kvs []*commonpb.KeyValue) store.Attributes {
	if len(kvs) == 0 {
		return nil
	}
	attrs := make(store.Attributes, len(kvs))
	for _, kv := range kvs {
		attrs[kv.GetKey()] = Value(kv.GetValue())
	}
	return attrs
}

// Value decodes one AnyValue to the JSON-compatible types of
// store.Attributes.
func Value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	case *commonpb.AnyValue_ArrayValue:
		vals := make([]any, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			vals = append(vals, Value(e))
		}
		return vals
	case *commonpb.AnyValue_KvlistValue:
		m := make(map[string]any, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			m[kv.GetKey()] = Value(kv.GetValue())
		}
		return m
	default:
		return nil
	}
}

// eventType is the "event.type" attribute, else the fallback.
func eventType(attrs store.Attributes, fallback string) string {
	if t, ok := store.AttributeText(attrs[AttrEventType]); ok && t != "" {
		return t
	}
	return fallback
}
