package otlp

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// scope names the sink as the instrumentation scope of what it forwards
// without a scope of its own (events and metric points).
var scope = &instrumentation.Scope{Name: "github.com/spark-dev/telemetry-operator/sink"}

// forwardLogs turns log records back into the SDK's records, whole: their
// times, severity, body, event name, trace context, flags and attributes,
// under their resource and scope.
func forwardLogs(logs []store.LogRecord) []sdklog.Record {
	records := make([]sdklog.Record, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		f := logtest.RecordFactory{
			EventName:            l.EventName,
			Timestamp:            l.Timestamp,
			ObservedTimestamp:    l.ObservedTimestamp,
			Severity:             log.Severity(l.SeverityNumber),
			SeverityText:         l.SeverityText,
			Attributes:           otelAttrs(l.Attributes),
			Resource:             otelResource(l.Resource),
			InstrumentationScope: &instrumentation.Scope{Name: l.Scope},
			TraceFlags:           trace.TraceFlags(l.Flags),
		}
		if l.Body != nil {
			f.Body = otelValue(l.Body)
		}
		if l.TraceID != "" {
			f.TraceID = trace.TraceID(mustHex(l.TraceID))
		}
		if l.SpanID != "" {
			f.SpanID = trace.SpanID(mustHex(l.SpanID))
		}
		records = append(records, f.NewRecord())
	}
	return records
}

// logRecords turns events into OTLP log records that carry the event name,
// and the event type as "event.type" unless it is the default for logs.
// The SDK offers no public constructor for a record with a resource outside
// a LoggerProvider, so the SDK's own RecordFactory builds them.
func logRecords(events []store.Event) []sdklog.Record {
	records := make([]sdklog.Record, 0, len(events))
	for i := range events {
		ev := &events[i]
		attrs := otelAttrs(ev.Attributes)
		if _, typed := ev.Attributes["event.type"]; !typed && ev.Type != store.EventTypeLog {
			attrs = append(attrs, attribute.String("event.type", ev.Type))
		}
		f := logtest.RecordFactory{
			EventName:            ev.Name,
			Timestamp:            ev.Timestamp,
			ObservedTimestamp:    ev.Timestamp,
			Attributes:           attrs,
			Resource:             otelResource(ev.Resource),
			InstrumentationScope: scope,
		}
		if ev.TraceID != "" {
			f.TraceID = trace.TraceID(mustHex(ev.TraceID))
			f.TraceFlags = trace.FlagsSampled
		}
		if ev.SpanID != "" {
			f.SpanID = trace.SpanID(mustHex(ev.SpanID))
		}
		records = append(records, f.NewRecord())
	}
	return records
}
