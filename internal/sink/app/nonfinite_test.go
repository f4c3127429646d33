package app_test

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
)

// nonFinite are attributes with NaN and the infinities, nested too, and
// wantNonFinite is how every answer must show them.
var (
	nonFinite = map[string]any{"nan": math.NaN(), "pinf": math.Inf(1), "ninf": math.Inf(-1), "f": 2.5,
		"list": []any{math.NaN(), 1.5, math.Inf(1), "x"},
		"map":  map[string]any{"low": math.Inf(-1), "deep": []any{math.NaN()}, "n": int64(3)}}
	wantNonFinite = map[string]any{"nan": "NaN", "pinf": "+Inf", "ninf": "-Inf", "f": 2.5,
		"list": []any{"NaN", 1.5, "+Inf", "x"}, "map": map[string]any{"low": "-Inf", "deep": []any{"NaN"}, "n": 3.0}}
)

// TestNaNAndInfinitiesAnswerValidJSONFromEveryStore sends NaN and infinite
// attributes and metric values over OTLP and reads every endpoint back:
// each answer is valid JSON holding the documented strings.
func TestNaNAndInfinitiesAnswerValidJSONFromEveryStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			a := startSink(t, testConfig(nil), b.open(t))
			base := "http://" + a.Addrs().HTTP
			for _, req := range []proto.Message{nonFiniteTrace(), nonFiniteMetrics(), nonFiniteLog()} {
				if code := postOTLP(t, base, req); code != http.StatusOK {
					t.Fatalf("POST %T: %d", req, code)
				}
			}
			eventually(t, "the records stored", func() bool {
				var m, e map[string][]any
				strictGet(t, a, "/api/v1/metrics?limit=1000", &m)
				strictGet(t, a, "/api/v1/events", &e)
				return len(m["metrics"]) == 4 && len(e["events"]) == 2
			})
			checkNonFiniteAnswers(t, a)
		})
	}
}

func checkNonFiniteAnswers(t *testing.T, a *app.App) {
	var trace struct{ Spans []jsonRecord }
	strictGet(t, a, "/api/v1/traces/"+hex.EncodeToString(otlpwiretest.TraceA), &trace)
	var spans, events, metrics map[string][]jsonRecord
	strictGet(t, a, "/api/v1/spans?attr.pinf=%2BInf&attr.nan=NaN", &spans)
	strictGet(t, a, "/api/v1/events", &events)
	strictGet(t, a, "/api/v1/metrics?limit=1000", &metrics)
	var records []jsonRecord
	for _, rs := range [][]jsonRecord{trace.Spans, spans["spans"], events["events"], metrics["metrics"]} {
		records = append(records, rs...)
	}
	if len(records) != 1+1+2+4 {
		t.Errorf("got %d records, want 8: %+v", len(records), records)
	}
	for _, r := range records {
		if d := cmp.Diff(wantNonFinite, r.Attributes); d != "" {
			t.Errorf("attributes (-want +got):\n%s", d)
		}
	}
	var traces map[string][]jsonRecord
	strictGet(t, a, "/api/v1/traces?attr.r=%2BInf", &traces)
	if len(trace.Spans) != 1 || trace.Spans[0].Resource["r"] != "+Inf" || len(traces["traces"]) != 1 ||
		traces["traces"][0].Attributes["r"] != "+Inf" {
		t.Errorf("span resources and trace attributes %v and %v, want r: +Inf", trace.Spans, traces)
	}
	values := make([]string, 0, len(metrics["metrics"]))
	for _, m := range metrics["metrics"] {
		values = append(values, string(m.Value))
	}
	sort.Strings(values)
	if d := cmp.Diff([]string{`"+Inf"`, `"-Inf"`, `"NaN"`, `1`}, values); d != "" {
		t.Errorf("metric values (-want +got):\n%s", d)
	}
	var aggs struct{ Buckets []map[string]any }
	strictGet(t, a, "/api/v1/metrics/aggregate?name=nf", &aggs)
	want := map[string]any{"count": 3.0, "sum": "NaN", "avg": "NaN", "min": "-Inf", "max": "+Inf",
		"p50": 1.0, "p95": "+Inf", "p99": "+Inf"}
	if len(aggs.Buckets) == 1 {
		delete(aggs.Buckets[0], "start")
	}
	if d := cmp.Diff([]map[string]any{want}, aggs.Buckets); d != "" {
		t.Errorf("aggregate (-want +got):\n%s", d)
	}
}

// jsonRecord is the part of a record these tests read; Value stays raw, so
// that a string and a number differ.
type jsonRecord struct {
	Attributes map[string]any
	Resource   map[string]any
	Value      json.RawMessage
}

// strictGet GETs a query path and requires a 200 whose whole body is one
// valid JSON value, decoded into out.
func strictGet(t *testing.T, a *app.App, path string, out any) {
	t.Helper()
	code, body := get(t, a, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v in %q", path, err, body)
	}
}

func nonFiniteKVs() []*commonpb.KeyValue {
	kvs := make([]*commonpb.KeyValue, 0, len(nonFinite))
	for k, v := range nonFinite {
		kvs = append(kvs, &commonpb.KeyValue{Key: k, Value: otlpwiretest.AnyValue(v)})
	}
	return kvs
}

var nonFiniteTime = uint64(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())

func nonFiniteTrace() *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			{Key: "r", Value: otlpwiretest.AnyValue(math.Inf(1))}}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: otlpwiretest.TraceA, SpanId: otlpwiretest.SpanA, Name: "nf",
			StartTimeUnixNano: nonFiniteTime, EndTimeUnixNano: nonFiniteTime + 1000, Attributes: nonFiniteKVs(),
			Events: []*tracepb.Span_Event{{Name: "e", TimeUnixNano: nonFiniteTime + 1, Attributes: nonFiniteKVs()}},
		}}}},
	}}}
}

func nonFiniteMetrics() *colmetricpb.ExportMetricsServiceRequest {
	values := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1}
	points := make([]*metricspb.NumberDataPoint, 0, len(values))
	for i, v := range values {
		points = append(points, &metricspb.NumberDataPoint{TimeUnixNano: nonFiniteTime + uint64(i),
			Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v}, Attributes: nonFiniteKVs()})
	}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: "nf", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: points}},
		}}}},
	}}}
}

func nonFiniteLog() *collogspb.ExportLogsServiceRequest {
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{{
			TimeUnixNano: nonFiniteTime + 2, EventName: "nf", Attributes: nonFiniteKVs(),
		}}}},
	}}}
}
