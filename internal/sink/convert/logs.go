package convert

import (
	"encoding/hex"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// ReasonNotEvent is the drop reason of a log record without an event name:
// it is not an event, and the sink stores nothing else from logs.
const ReasonNotEvent = "not_event"

// Logs converts a log export: records that carry an event name (the
// EventName field, else the "event.name" attribute) become events. A record
// tied to a trace follows that trace's sampling decision.
func (c *Converter) Logs(req *collogspb.ExportLogsServiceRequest) *store.Batch {
	b, t := &store.Batch{}, newTally()
	for _, rl := range req.GetResourceLogs() {
		res := c.resource(rl.GetResource())
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				c.addLog(b, t, lr, res)
			}
		}
	}
	t.flush(c.Telemetry)
	return b
}

func (c *Converter) addLog(b *store.Batch, t *tally, lr *logspb.LogRecord, res store.Attributes) {
	t.add(sinkmetrics.SignalEvents, received, 1)
	attrs := attributes(lr.GetAttributes())
	name := lr.GetEventName()
	if name == "" {
		name = text(attrs[AttrEventName])
	}
	id, traced := traceID(lr.GetTraceId())
	switch {
	case name == "":
		t.add(sinkmetrics.SignalEvents, ReasonNotEvent, 1)
		return
	case traced && !c.Sampler.Keep(id):
		t.add(sinkmetrics.SignalEvents, sampled, 1)
		return
	case !c.Signals.Events:
		t.add(sinkmetrics.SignalEvents, sinkmetrics.ReasonDisabled, 1)
		return
	}
	ev := store.Event{
		EventID:    newID(),
		Type:       eventType(attrs, store.EventTypeLog),
		Name:       name,
		Timestamp:  logTime(lr),
		Attributes: withBody(attrs, lr),
		Resource:   res,
	}
	if traced {
		ev.TraceID = hex.EncodeToString(lr.GetTraceId())
		ev.SpanID = spanID(lr.GetSpanId())
	}
	b.Events = append(b.Events, ev)
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
	if body := value(lr.GetBody()); body != nil {
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
