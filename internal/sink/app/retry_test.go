package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// metricsRequest holds a gauge point and a histogram point of one resource.
func metricsRequest() *colmetricspb.ExportMetricsServiceRequest {
	ns := uint64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	attrs := []*commonpb.KeyValue{{Key: "route", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "/pay"}}}}
	sum, lo, hi := 6.0, 1.0, 3.0
	return &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: attrs},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "retry.gauge", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{TimeUnixNano: ns, Attributes: attrs, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: 1.5}}}}}},
			{Name: "retry.hist", Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{DataPoints: []*metricspb.HistogramDataPoint{
				{TimeUnixNano: ns, Attributes: attrs, Count: 3, Sum: &sum, Min: &lo, Max: &hi}}}}},
		}}},
	}}}
}

// An exporter that retries a request the sink had stored (its answer was
// lost, or came too late) must not store its records twice: spans have
// their own ids, and events and metric points get ids from their contents.
// Each request goes once over gRPC and once over HTTP, protobuf and JSON.
func TestARetriedRequestIsStoredOnce(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			a := startSink(t, testConfig(func(c *config.Config) { c.Buffer.Acknowledge = config.AckStored }), b.open(t))
			traces := traceRequest(300, 3)
			sp := traces.ResourceSpans[0].ScopeSpans[0].Spans[1]
			sp.Events = []*tracepb.Span_Event{{Name: "retry.event", TimeUnixNano: sp.StartTimeUnixNano}}
			traceID := fmt.Sprintf("%x", sp.TraceId)
			metrics := metricsRequest()
			for range 2 {
				exportHTTP(t, a, traces)
				if _, err := exportGRPC(t, a, traces); err != nil {
					t.Fatal(err)
				}
				body, err := proto.Marshal(metrics)
				if err != nil {
					t.Fatal(err)
				}
				postBody(t, a, "/v1/metrics", "application/x-protobuf", body)
				postBody(t, a, "/v1/metrics", "application/json", jsonBytes(t, metrics))
			}
			if n := countSpans(t, a, traceID); n != 3 {
				t.Errorf("%d spans stored, want 3", n)
			}
			var events eventList
			getJSON(t, a, "/api/v1/events?traceId="+traceID, &events)
			if len(events.Events) != 1 {
				t.Errorf("%d events stored, want 1: %+v", len(events.Events), events.Events)
			}
			for _, name := range []string{"retry.gauge", "retry.hist"} {
				var points metricList
				getJSON(t, a, "/api/v1/metrics?name="+name, &points)
				if len(points.Metrics) != 1 {
					t.Errorf("%s: %d points stored, want 1", name, len(points.Metrics))
				}
			}
		})
	}
}

// postBody posts an OTLP/HTTP body and requires a 200.
func postBody(t *testing.T, a *app.App, path, contentType string, body []byte) {
	t.Helper()
	resp, err := http.Post("http://"+a.Addrs().HTTP+path, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s (%s): %d", path, contentType, resp.StatusCode)
	}
}

func jsonBytes(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
