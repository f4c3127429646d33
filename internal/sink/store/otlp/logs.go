package otlp

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// scope names the sink as the instrumentation scope of what it forwards
// without a scope of its own (events and metric points).
var scope = &instrumentation.Scope{Name: "github.com/spark-dev/telemetry-operator/sink"}

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
