package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

type logList struct {
	Logs []store.LogRecord `json:"logs"`
}

// logExporter is the SDK's OTLP log exporter of the protocol, to the sink.
func logExporter(t *testing.T, a *app.App, protocol string) sdklog.Exporter {
	t.Helper()
	var e sdklog.Exporter
	var err error
	if protocol == "grpc" {
		e, err = otlploggrpc.New(context.Background(), otlploggrpc.WithEndpoint(a.Addrs().GRPC), otlploggrpc.WithInsecure())
	} else {
		e, err = otlploghttp.New(context.Background(), otlploghttp.WithEndpoint(a.Addrs().HTTP), otlploghttp.WithInsecure())
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// emitLogs logs through the SDK's log bridge API: a plain line with
// attributes, a structured body tied to a span, and an event.
func emitLogs(t *testing.T, a *app.App, protocol string, traceID trace.TraceID) {
	t.Helper()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { t.Errorf("SDK error: %v", err) }))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(logExporter(t, a, protocol))),
		sdklog.WithResource(sdkResource))
	logger := lp.Logger("checkout/logs")
	ts := time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC)
	var plain otellog.Record
	plain.SetTimestamp(ts)
	plain.SetObservedTimestamp(ts.Add(time.Millisecond))
	plain.SetSeverity(otellog.SeverityWarn)
	plain.SetSeverityText("WARN")
	plain.SetBody(attribute.StringValue("cart is slow over " + protocol))
	plain.AddAttributes(attribute.String("route", "/cart"), attribute.Int64("items", 3))
	logger.Emit(context.Background(), plain)
	var structured otellog.Record
	structured.SetTimestamp(ts.Add(time.Second))
	structured.SetSeverity(otellog.SeverityError)
	structured.SetBody(attribute.MapValue(attribute.String("msg", "payment failed"), attribute.Int64("code", 402),
		attribute.Slice("tries", attribute.Int64Value(1), attribute.Int64Value(2))))
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: trace.FlagsSampled})
	logger.Emit(trace.ContextWithSpanContext(context.Background(), sc), structured)
	var event otellog.Record
	event.SetTimestamp(ts.Add(2 * time.Second))
	event.SetEventName("checkout.completed")
	event.SetSeverity(otellog.SeverityInfo)
	event.AddAttributes(attribute.String("protocol", protocol))
	logger.Emit(context.Background(), event)
	if err := lp.Shutdown(context.Background()); err != nil {
		t.Fatalf("log export over %s: %v", protocol, err)
	}
}

// Log records sent by the OpenTelemetry SDK's log bridge, plain lines
// included, come back whole through /api/v1/logs in every store, and the
// one with an event name is an event too.
func TestLogsFromTheSDKComeBackWhole(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			a := startSink(t, testConfig(nil), b.open(t))
			for i, protocol := range []string{"grpc", "http"} {
				traceID := trace.TraceID{0xab, byte(i + 1)}
				emitLogs(t, a, protocol, traceID)
				var got logList
				eventually(t, "the log records over "+protocol, func() bool {
					getJSON(t, a, fmt.Sprintf("/api/v1/logs?service=checkout&body=over+%s", protocol), &got)
					return len(got.Logs) == 1
				})
				l := got.Logs[0]
				want := store.LogRecord{LogID: l.LogID, Timestamp: time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC),
					ObservedTimestamp: time.Date(2026, 2, 3, 4, 5, 6, 1007000, time.UTC), SeverityNumber: 13,
					SeverityText: "WARN", Body: "cart is slow over " + protocol, Scope: "checkout/logs",
					Attributes: store.Attributes{"route": "/cart", "items": float64(3)}, Resource: l.Resource}
				if d := cmp.Diff(want, l); d != "" {
					t.Errorf("plain line over %s (-sent +read):\n%s", protocol, d)
				}
				checkTracedLog(t, a, traceID)
			}
			var events eventList
			getJSON(t, a, "/api/v1/events?name=checkout.completed", &events)
			if len(events.Events) != 2 {
				t.Errorf("%d checkout.completed events, want one per protocol", len(events.Events))
			}
		})
	}
}

// checkTracedLog finds the structured record by its trace and reads its
// body back as sent.
func checkTracedLog(t *testing.T, a *app.App, traceID trace.TraceID) {
	t.Helper()
	var got logList
	getJSON(t, a, "/api/v1/logs?minSeverity=ERROR&traceId="+traceID.String(), &got)
	if len(got.Logs) != 1 {
		t.Fatalf("%d records of trace %s at ERROR or above, want 1", len(got.Logs), traceID)
	}
	l := got.Logs[0]
	body := map[string]any{"msg": "payment failed", "code": float64(402), "tries": []any{float64(1), float64(2)}}
	if d := cmp.Diff(body, l.Body); d != "" || l.SpanID != "0102030405060708" || l.SeverityNumber != 17 || l.Flags != 1 {
		t.Errorf("traced record: span %s, severity %d, flags %d; body (-sent +read):\n%s", l.SpanID, l.SeverityNumber, l.Flags, d)
	}
}
