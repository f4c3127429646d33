package convert_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var (
	t0      = otlpwiretest.T0
	traceA  = otlpwiretest.TraceA
	spanA   = otlpwiretest.SpanA
	str     = otlpwiretest.Str
	ignored = cmpopts.IgnoreFields(store.Event{}, "EventID")
)

func converter(rate float64, sig convert.Signals) *convert.Converter {
	return &convert.Converter{
		Sampler: sampler.New(rate), Signals: sig, Telemetry: sinkmetrics.New(),
		Metadata: map[string]string{"env": "staging", "cluster": "c1"},
	}
}

var all = convert.Signals{Traces: true, Events: true, Metrics: true, Logs: true}

func TestTracesBecomeSpansAndEventsWithMetadataThatDoesNotOverride(t *testing.T) {
	res := store.Attributes{"service.name": "shop", "env": "prod", "cluster": "c1"}
	want := &store.Batch{
		Spans: []store.Span{{
			TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "0101010101010101", Name: "GET /",
			Kind: "server", StartTime: t0, EndTime: t0.Add(time.Second), Duration: 1,
			Status: store.SpanStatusError, StatusMessage: "boom", Scope: "lib",
			Attributes: store.Attributes{"http.method": "GET"}, Resource: res,
		}},
		Events: []store.Event{
			{TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "0101010101010101", Type: "audit", Name: "retry",
				Timestamp: t0.Add(5), Attributes: store.Attributes{"event.type": "audit"}, Resource: res},
			{TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "0101010101010101", Type: store.EventTypeSpan,
				Name: "done", Timestamp: t0.Add(6), Resource: res},
		},
	}
	got := converter(1, all).Traces(otlpwiretest.TraceRequest())
	if diff := cmp.Diff(want, got.Batch, ignored); diff != "" {
		t.Fatalf("batch (-want +got):\n%s", diff)
	}
	if got.Events[0].EventID == got.Events[1].EventID || len(got.Events[0].EventID) != 32 {
		t.Fatalf("event ids must be distinct 32-digit hex, got %q %q", got.Events[0].EventID, got.Events[1].EventID)
	}
}

func TestPolicyDropsWholeTracesAndDisabledSignals(t *testing.T) {
	for _, tc := range []struct {
		name          string
		rate          float64
		sig           convert.Signals
		spans, events int
	}{
		{"sampled out drops spans and their events", 0, all, 0, 0},
		{"traces off keeps span events", 1, convert.Signals{Events: true}, 0, 2},
		{"events off keeps spans", 1, convert.Signals{Traces: true}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := converter(tc.rate, tc.sig).Traces(otlpwiretest.TraceRequest())
			if diff := cmp.Diff([2]int{tc.spans, tc.events}, [2]int{len(b.Spans), len(b.Events)}); diff != "" {
				t.Fatalf("spans, events (-want +got):\n%s", diff)
			}
		})
	}
}

// Every log record is kept as a log record, whole; those with an event
// name are events too, for stores that answer queries (LogEvents).
func TestLogRecordsAreKeptAndThoseWithAnEventNameBecomeEvents(t *testing.T) {
	req := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{
			{EventName: "login", TimeUnixNano: uint64(t0.UnixNano()), TraceId: traceA, SpanId: spanA},
			{ObservedTimeUnixNano: uint64(t0.UnixNano()), Attributes: []*commonpb.KeyValue{str("event.name", "logout")},
				Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "bye"}}},
			{Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "plain log line"}}},
		}}},
	}}}
	res := store.Attributes{"env": "staging", "cluster": "c1"}
	want := []store.Event{
		{TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "0101010101010101", Type: store.EventTypeLog,
			Name: "login", Timestamp: t0, Resource: res},
		{Type: store.EventTypeLog, Name: "logout", Timestamp: t0, Resource: res,
			Attributes: store.Attributes{"event.name": "logout", "log.body": "bye"}},
	}
	c := converter(1, all)
	c.LogEvents = true
	got := c.Logs(req)
	if diff := cmp.Diff(want, got.Events, ignored); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	wantLogs := []store.LogRecord{
		{Timestamp: t0, ObservedTimestamp: time.Unix(0, 0).UTC(), EventName: "login",
			TraceID: "0102030405060708090a0b0c0d0e0f10", SpanID: "0101010101010101", Resource: res},
		{Timestamp: time.Unix(0, 0).UTC(), ObservedTimestamp: t0, Body: "bye", Resource: res,
			Attributes: store.Attributes{"event.name": "logout"}},
		{Timestamp: time.Unix(0, 0).UTC(), ObservedTimestamp: time.Unix(0, 0).UTC(), Body: "plain log line", Resource: res},
	}
	if diff := cmp.Diff(wantLogs, got.Logs, cmpopts.IgnoreFields(store.LogRecord{}, "LogID")); diff != "" {
		t.Fatalf("log records (-want +got):\n%s", diff)
	}
	forwarding := converter(1, all).Logs(req) // LogEvents off: each record goes on once, as a log
	if len(forwarding.Events) != 0 || len(forwarding.Logs) != 3 {
		t.Fatalf("without LogEvents: %d events and %d logs, want 0 and 3", len(forwarding.Events), len(forwarding.Logs))
	}
	logsOff := converter(1, all)
	logsOff.LogEvents, logsOff.Signals.Logs = true, false
	if got := logsOff.Logs(req); len(got.Logs) != 0 || len(got.Events) != 2 {
		t.Fatalf("logs off: %d logs and %d events, want 0 and the 2 events", len(got.Logs), len(got.Events))
	}
}

func TestEveryMetricKindBecomesPoints(t *testing.T) {
	ns := uint64(t0.UnixNano())
	lo, hi := 1.0, 9.0
	req := &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "temp", Unit: "C", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{TimeUnixNano: ns, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: 21.5}}}}}},
			{Name: "reqs", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{DataPoints: []*metricspb.NumberDataPoint{
				{TimeUnixNano: ns, Value: &metricspb.NumberDataPoint_AsInt{AsInt: 7},
					Exemplars: []*metricspb.Exemplar{{TraceId: traceA}}}}}}},
			{Name: "lat", Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{DataPoints: []*metricspb.HistogramDataPoint{
				{TimeUnixNano: ns, Count: 3, Sum: &hi, Min: &lo, Max: &hi}}}}},
			{Name: "exp", Data: &metricspb.Metric_ExponentialHistogram{ExponentialHistogram: &metricspb.ExponentialHistogram{
				DataPoints: []*metricspb.ExponentialHistogramDataPoint{{TimeUnixNano: ns, Count: 2, Sum: &lo}}}}},
			{Name: "sum", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: []*metricspb.SummaryDataPoint{
				{TimeUnixNano: ns, Count: 4, Sum: 10}}}}},
		}}},
	}}}
	res := store.Attributes{"env": "staging", "cluster": "c1"}
	want := []store.Metric{
		{Name: "temp", Unit: "C", Value: 21.5, AggregationType: store.AggregationGauge, Timestamp: t0, Resource: res},
		{Name: "reqs", Value: 7, AggregationType: store.AggregationSum, Timestamp: t0, Resource: res,
			TraceID: "0102030405060708090a0b0c0d0e0f10"},
		{Name: "lat", Value: 9, AggregationType: store.AggregationHistogram, Timestamp: t0, Resource: res,
			Attributes: store.Attributes{"count": int64(3), "min": 1.0, "max": 9.0}},
		{Name: "exp", Value: 1, AggregationType: store.AggregationHistogram, Timestamp: t0, Resource: res,
			Attributes: store.Attributes{"count": int64(2)}},
		{Name: "sum", Value: 10, AggregationType: store.AggregationSummary, Timestamp: t0, Resource: res,
			Attributes: store.Attributes{"count": int64(4)}},
	}
	got := converter(0, all).Metrics(req)
	if diff := cmp.Diff(want, got.Metrics, cmpopts.IgnoreFields(store.Metric{}, "MetricID")); diff != "" {
		t.Fatalf("metrics (-want +got):\n%s", diff)
	}
	if off := converter(1, convert.Signals{}).Metrics(req); len(off.Metrics) != 0 {
		t.Fatalf("metrics disabled, still converted %d points", len(off.Metrics))
	}
}
