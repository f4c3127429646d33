package otlpwire

import (
	"encoding/hex"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Logs maps a decoded log export onto records: records that carry an event
// name (the EventName field, else the "event.name" attribute) become
// events, as far as the policy keeps them.
func Logs(req *collogspb.ExportLogsServiceRequest, p Policy) *store.Batch {
	b := &store.Batch{}
	for _, rl := range req.GetResourceLogs() {
		res := p.Resource(Attributes(rl.GetResource().GetAttributes()))
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				if ev, ok := logEvent(lr, res, p); ok {
					b.Events = append(b.Events, ev)
				}
			}
		}
	}
	return b
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

func logEvent(lr *logspb.LogRecord, res store.Attributes, p Policy) (store.Event, bool) {
	attrs := Attributes(lr.GetAttributes())
	name := LogEventName(lr, attrs)
	if !p.LogRecord(lr.GetTraceId(), name) || name == "" {
		return store.Event{}, false
	}
	ev := store.Event{
		Type:       eventType(attrs, store.EventTypeLog),
		Name:       name,
		Timestamp:  logTime(lr),
		Attributes: withBody(attrs, lr),
		Resource:   res,
	}
	if _, traced := TraceID(lr.GetTraceId()); traced {
		ev.TraceID = hex.EncodeToString(lr.GetTraceId())
		ev.SpanID = spanID(lr.GetSpanId())
	}
	ev.EventID = eventID(&ev)
	return ev, true
}

// logTime is the event time, else the time the SDK observed the record.
func logTime(lr *logspb.LogRecord) time.Time {
	if ts := lr.GetTimeUnixNano(); ts != 0 {
		return timestamp(ts)
	}
	return timestamp(lr.GetObservedTimeUnixNano())
}

// withBody keeps the record's body and severity, which the event model has
// no field for, as attributes unless the record already uses those keys.
func withBody(attrs store.Attributes, lr *logspb.LogRecord) store.Attributes {
	extra := map[string]any{}
	if body := Value(lr.GetBody()); body != nil {
		extra["log.body"] = body
	}
	if s := lr.GetSeverityText(); s != "" {
		extra["log.severity"] = s
	}
	for k, v := range extra {
		if attrs == nil {
			attrs = store.Attributes{}
		}
		if _, taken := attrs[k]; !taken {
			attrs[k] = v
		}
	}
	return attrs
}
