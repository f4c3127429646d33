package otlpwire

import (
	"encoding/hex"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Logs maps a decoded log export onto records: every log record as a
// store.LogRecord, and the records that carry an event name (the EventName
// field, else the "event.name" attribute) as store events too, as far as
// the policy keeps them.
func Logs(req *collogspb.ExportLogsServiceRequest, p Policy) *store.Batch {
	b := &store.Batch{}
	for _, rl := range req.GetResourceLogs() {
		res := p.Resource(Attributes(rl.GetResource().GetAttributes()))
		for _, sl := range rl.GetScopeLogs() {
			scope := sl.GetScope().GetName()
			for _, lr := range sl.GetLogRecords() {
				addLog(b, lr, scope, res, p)
			}
		}
	}
	return b
}

func addLog(b *store.Batch, lr *logspb.LogRecord, scope string, res store.Attributes, p Policy) {
	attrs := Attributes(lr.GetAttributes())
	name := LogEventName(lr, attrs)
	keepLog, keepEvent := p.LogRecord(lr.GetTraceId(), name)
	if keepLog {
		b.Logs = append(b.Logs, logRecord(lr, scope, attrs, res))
	}
	if keepEvent && name != "" {
		b.Events = append(b.Events, logEvent(lr, name, attrs, res))
	}
}

// LogEventName is a log record's event name: the field, else the
// "event.name" attribute.
func LogEventName(lr *logspb.LogRecord, attrs store.Attributes) string {
	if name := lr.GetEventName(); name != "" {
		return name
	}
	name, _ := store.AttributeText(attrs[AttrEventName])
	return name
}

func logRecord(lr *logspb.LogRecord, scope string, attrs, res store.Attributes) store.LogRecord {
	l := store.LogRecord{
		Timestamp: timestamp(lr.GetTimeUnixNano()), ObservedTimestamp: timestamp(lr.GetObservedTimeUnixNano()),
		SeverityNumber: int32(lr.GetSeverityNumber()), SeverityText: lr.GetSeverityText(),
		Body: Value(lr.GetBody()), EventName: lr.GetEventName(), Flags: lr.GetFlags(), Scope: scope,
		Attributes: attrs, Resource: res,
	}
	if _, traced := TraceID(lr.GetTraceId()); traced {
		l.TraceID = hex.EncodeToString(lr.GetTraceId())
	}
	l.SpanID = spanID(lr.GetSpanId())
	l.LogID = logID(&l)
	return l
}

// logEvent is the event view of a log record with an event name. Its body
// and severity, which the event model has no field for, become the
// attributes log.body and log.severity unless the record uses those keys.
func logEvent(lr *logspb.LogRecord, name string, attrs, res store.Attributes) store.Event {
	ev := store.Event{
		Type:       eventType(attrs, store.EventTypeLog),
		Name:       name,
		Timestamp:  timestamp(lr.GetTimeUnixNano()),
		Attributes: withBody(attrs, lr),
		Resource:   res,
	}
	if lr.GetTimeUnixNano() == 0 {
		ev.Timestamp = timestamp(lr.GetObservedTimeUnixNano())
	}
	if _, traced := TraceID(lr.GetTraceId()); traced {
		ev.TraceID = hex.EncodeToString(lr.GetTraceId())
		ev.SpanID = spanID(lr.GetSpanId())
	}
	ev.EventID = eventID(&ev)
	return ev
}

// withBody returns attrs with the record's body and severity text added,
// as a new map: the log record keeps attrs as they were sent.
func withBody(attrs store.Attributes, lr *logspb.LogRecord) store.Attributes {
	extra := map[string]any{}
	if body := Value(lr.GetBody()); body != nil {
		extra["log.body"] = body
	}
	if s := lr.GetSeverityText(); s != "" {
		extra["log.severity"] = s
	}
	if len(extra) == 0 {
		return attrs
	}
	out := make(store.Attributes, len(attrs)+len(extra))
	for k, v := range extra {
		out[k] = v
	}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}
