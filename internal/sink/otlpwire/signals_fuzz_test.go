package otlpwire_test

import (
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// checkRecords fails unless a decoded batch is one every store accepts,
// and decoding the same bytes again gives the same ids.
func checkRecords(t *testing.T, b, again *store.Batch) {
	t.Helper()
	if err := store.ValidateBatch(b); err != nil {
		t.Fatalf("decoded records a store refuses: %v", err)
	}
	for i := range b.Logs {
		if b.Logs[i].LogID != again.Logs[i].LogID {
			t.Fatalf("log record %d: id %s, then %s", i, b.Logs[i].LogID, again.Logs[i].LogID)
		}
	}
	for i := range b.Metrics {
		if b.Metrics[i].MetricID != again.Metrics[i].MetricID {
			t.Fatalf("metric point %d: id %s, then %s", i, b.Metrics[i].MetricID, again.Metrics[i].MetricID)
		}
	}
}

// FuzzLogs: whatever bytes protobuf decodes as a log export map onto
// records every store accepts, with the same ids each time.
func FuzzLogs(f *testing.F) {
	body := &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "line"}}
	f.Add(otlpwiretest.Marshal(&collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{
			{TimeUnixNano: 1, Body: body, TraceId: otlpwiretest.TraceA, SpanId: otlpwiretest.SpanA, EventName: "e"},
			{ObservedTimeUnixNano: 2, SeverityNumber: 17, Attributes: []*commonpb.KeyValue{otlpwiretest.Str("k", "v")}},
			{TraceId: []byte{1}, SpanId: make([]byte, 8)},
		}}}}}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		req := &collogspb.ExportLogsServiceRequest{}
		if proto.Unmarshal(raw, req) != nil {
			return
		}
		checkRecords(t, otlpwire.Logs(req, otlpwire.KeepAll), otlpwire.Logs(req, otlpwire.KeepAll))
	})
}

// FuzzMetrics: the same for metric exports, every kind of point.
func FuzzMetrics(f *testing.F) {
	sum := 3.0
	f.Add(otlpwiretest.Marshal(&colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "g", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{TimeUnixNano: 1, Value: &metricspb.NumberDataPoint_AsInt{AsInt: 2},
					Exemplars: []*metricspb.Exemplar{{TraceId: otlpwiretest.TraceA}}}}}}},
			{Name: "h", Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{DataPoints: []*metricspb.HistogramDataPoint{
				{TimeUnixNano: 1, Count: 2, Sum: &sum, BucketCounts: []uint64{1, 1}, ExplicitBounds: []float64{1}}}}}},
			{Name: "s", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: []*metricspb.SummaryDataPoint{
				{Count: 1, Sum: 1, QuantileValues: []*metricspb.SummaryDataPoint_ValueAtQuantile{{Quantile: 0.5, Value: 1}}}}}}},
		}}}}}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		req := &colmetricspb.ExportMetricsServiceRequest{}
		if proto.Unmarshal(raw, req) != nil {
			return
		}
		checkRecords(t, otlpwire.Metrics(req, otlpwire.KeepAll), otlpwire.Metrics(req, otlpwire.KeepAll))
	})
}
