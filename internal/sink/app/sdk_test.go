package app_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var sdkResource = resource.NewSchemaless(attribute.String("service.name", "checkout"))

// exporters builds the SDK's OTLP exporters for one protocol; traces are
// gzip-compressed and metrics are not, so both encodings are exercised.
func exporters(t *testing.T, a *app.App, protocol string) (sdktrace.SpanExporter, sdkmetric.Exporter) {
	t.Helper()
	ctx := context.Background()
	var (
		te  sdktrace.SpanExporter
		me  sdkmetric.Exporter
		err error
	)
	if protocol == "grpc" {
		te, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(a.Addrs().GRPC), otlptracegrpc.WithInsecure(),
			otlptracegrpc.WithCompressor("gzip"))
		if err == nil {
			me, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(a.Addrs().GRPC), otlpmetricgrpc.WithInsecure())
		}
	} else {
		te, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(a.Addrs().HTTP), otlptracehttp.WithInsecure(),
			otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		if err == nil {
			me, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(a.Addrs().HTTP), otlpmetrichttp.WithInsecure())
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return te, me
}

// sendWithSDK records a two-span trace with a span event, and three kinds
// of metrics, through the OpenTelemetry SDK; it returns the trace id.
func sendWithSDK(t *testing.T, a *app.App, protocol string) string {
	t.Helper()
	ctx := context.Background()
	te, me := exporters(t, a, protocol)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(te), sdktrace.WithResource(sdkResource))
	tracer := tp.Tracer("e2e")
	rctx, root := tracer.Start(ctx, "checkout-"+protocol)
	_, child := tracer.Start(rctx, "charge")
	child.AddEvent("card.declined", trace.WithAttributes(attribute.String("event.type", "payment")))
	child.SetStatus(otelcodes.Error, "declined")
	child.End()
	root.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("trace export over %s: %v", protocol, err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(me)), sdkmetric.WithResource(sdkResource))
	meter := mp.Meter("e2e")
	orders, _ := meter.Int64Counter("orders-" + protocol)
	orders.Add(ctx, 3, metricAttr)
	latency, _ := meter.Float64Histogram("latency-" + protocol)
	for _, v := range []float64{1, 2, 3} {
		latency.Record(ctx, v, metricAttr)
	}
	temp, _ := meter.Float64Gauge("temp-" + protocol)
	temp.Record(ctx, 21.5)
	if err := mp.Shutdown(ctx); err != nil {
		t.Fatalf("metric export over %s: %v", protocol, err)
	}
	return root.SpanContext().TraceID().String()
}

var metricAttr = metricOpt()

func TestTelemetryFromTheSDKIsQueryableOverTheAPI(t *testing.T) {
	for _, backend := range backends {
		for _, protocol := range []string{"grpc", "http"} {
			t.Run(backend.name+"/"+protocol, func(t *testing.T) {
				cfg := testConfig(func(c *config.Config) { c.Metadata = map[string]string{"cluster": "test"} })
				a := startSink(t, cfg, backend.open(t))
				traceID := sendWithSDK(t, a, protocol)
				eventually(t, "both spans", func() bool { return countSpans(t, a, traceID) == 2 })
				// Spans, events and metrics are separate exports, flushed by
				// the sink's buffer each in its own time.
				eventually(t, "the span event and the metric points", func() bool { return sentAllStored(t, a, traceID, protocol) })
				checkTrace(t, a, traceID, protocol)
				checkEvents(t, a, traceID)
				checkMetrics(t, a, protocol)
			})
		}
	}
}

func checkTrace(t *testing.T, a *app.App, traceID, protocol string) {
	t.Helper()
	var detail store.TraceDetail
	if code := getJSON(t, a, "/api/v1/traces/"+traceID, &detail); code != 200 {
		t.Fatalf("GET trace: %d", code)
	}
	got := []any{detail.Trace.Name, detail.Trace.Status, detail.Trace.SpanCount,
		detail.Spans[0].Resource["service.name"], detail.Spans[0].Resource["cluster"]}
	want := []any{"checkout-" + protocol, store.TraceFailed, 2.0, "checkout", "test"}
	if diff := cmp.Diff(want, normalize(got)); diff != "" {
		t.Errorf("trace name, status, span count, resource (-want +got):\n%s", diff)
	}
	var list traceList
	getJSON(t, a, "/api/v1/traces?status=failed&attr.service.name=checkout&name=checkout-"+protocol, &list)
	if len(list.Traces) != 1 || list.Traces[0].TraceID != traceID {
		t.Errorf("filtered trace list = %+v, want just %s", list.Traces, traceID)
	}
}

// sentAllStored reports whether the event and each metric the SDK sent can
// be queried.
func sentAllStored(t *testing.T, a *app.App, traceID, protocol string) bool {
	var events eventList
	getJSON(t, a, "/api/v1/events?traceId="+traceID, &events)
	if len(events.Events) == 0 {
		return false
	}
	for _, prefix := range []string{"orders-", "latency-", "temp-"} {
		var list metricList
		if getJSON(t, a, "/api/v1/metrics?name="+prefix+protocol, &list); len(list.Metrics) == 0 {
			return false
		}
	}
	return true
}

func checkEvents(t *testing.T, a *app.App, traceID string) {
	t.Helper()
	var events eventList
	getJSON(t, a, "/api/v1/events?type=payment&traceId="+traceID, &events)
	if len(events.Events) != 1 || events.Events[0].Name != "card.declined" {
		t.Errorf("events of the trace = %+v, want the card.declined span event", events.Events)
	}
}

func checkMetrics(t *testing.T, a *app.App, protocol string) {
	t.Helper()
	want := map[string]string{"orders-": store.AggregationSum, "latency-": store.AggregationHistogram, "temp-": store.AggregationGauge}
	for prefix, agg := range want {
		var list metricList
		getJSON(t, a, "/api/v1/metrics?name="+prefix+protocol, &list)
		if len(list.Metrics) != 1 || list.Metrics[0].AggregationType != agg {
			t.Errorf("metric %s%s = %+v, want one %s point", prefix, protocol, list.Metrics, agg)
		}
	}
	var buckets bucketList
	getJSON(t, a, "/api/v1/metrics/aggregate?attr.route=/pay&name=latency-"+protocol, &buckets)
	if len(buckets.Buckets) != 1 || buckets.Buckets[0].Count != 1 || buckets.Buckets[0].Sum != 6 {
		t.Errorf("aggregate of latency = %+v, want one bucket of one point summing 6", buckets.Buckets)
	}
}

// normalize turns ints into float64, as JSON decoding would.
func normalize(vals []any) []any {
	for i, v := range vals {
		if n, ok := v.(int); ok {
			vals[i] = float64(n)
		}
	}
	return vals
}
