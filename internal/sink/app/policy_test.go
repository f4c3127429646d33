package app_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

func TestSamplingKeepsTheRateWithinToleranceAndWholeTraces(t *testing.T) {
	rate := 0.1
	a := startSink(t, testConfig(func(c *config.Config) {
		c.Sampling.Rate = &rate
		c.Memory = &config.Memory{MaxTraces: 100000}
	}), memory.New(config.Memory{MaxTraces: 100000}))
	const traces, spansPer = 2000, 3
	for i := range traces {
		postTrace(t, "http://"+a.Addrs().HTTP, uint64(i+1), spansPer)
	}
	m := a.Metrics()
	eventually(t, "every kept span stored", func() bool {
		stored := testutil.ToFloat64(m.Stored.WithLabelValues(sinkmetrics.SignalSpans))
		out := testutil.ToFloat64(m.SampledOut.WithLabelValues(sinkmetrics.SignalSpans))
		return stored+out == traces*spansPer
	})
	var list traceList
	getJSON(t, a, fmt.Sprintf("/api/v1/traces?limit=%d", traces), &list)
	share := float64(len(list.Traces)) / traces
	// Binomial standard deviation at n=2000, p=0.1 is 0.0067; the ids are
	// fixed, so the outcome is reproducible, and 0.02 is three deviations.
	if math.Abs(share-rate) > 0.02 {
		t.Errorf("kept %d of %d traces (%.3f), want %v±0.02", len(list.Traces), traces, share, rate)
	}
	for _, tr := range list.Traces {
		if tr.SpanCount != spansPer {
			t.Fatalf("trace %s kept with %d of its %d spans", tr.TraceID, tr.SpanCount, spansPer)
		}
	}
}

func TestDisabledSignalsAreAcceptedCountedAndNotStored(t *testing.T) {
	off := false
	a := startSink(t, testConfig(func(c *config.Config) {
		c.Signals = config.Signals{Traces: &off, Events: &off}
	}), memory.New(config.Memory{}))
	traceID := sendWithSDK(t, a, "grpc")
	// The pipeline writes in order, so once the metrics sent after the
	// trace are stored, any span or event would have been stored too.
	eventually(t, "the metrics", func() bool {
		var list metricList
		getJSON(t, a, "/api/v1/metrics?name=orders-grpc", &list)
		return len(list.Metrics) == 1
	})
	var spans spanList
	var events eventList
	getJSON(t, a, "/api/v1/spans?traceId="+traceID, &spans)
	getJSON(t, a, "/api/v1/events?traceId="+traceID, &events)
	if len(spans.Spans) != 0 || len(events.Events) != 0 {
		t.Fatalf("disabled signals stored %d spans and %d events", len(spans.Spans), len(events.Events))
	}
	m := a.Metrics()
	dropped := []float64{
		testutil.ToFloat64(m.Dropped.WithLabelValues(sinkmetrics.SignalSpans, sinkmetrics.ReasonDisabled)),
		testutil.ToFloat64(m.Dropped.WithLabelValues(sinkmetrics.SignalEvents, sinkmetrics.ReasonDisabled)),
	}
	if dropped[0] != 2 || dropped[1] != 1 {
		t.Fatalf("dropped as disabled: %v spans and events, want 2 and 1", dropped)
	}
}

func TestRetentionPrunesDataOlderThanMaxAge(t *testing.T) {
	a := startSink(t, testConfig(func(c *config.Config) {
		c.Retention = config.Retention{MaxAge: config.Duration{Duration: time.Hour}, Interval: config.Duration{Duration: 10 * time.Millisecond}}
	}), memory.New(config.Memory{}))
	postTrace(t, "http://"+a.Addrs().HTTP, 1, 2) // Timestamps in January 2026: older than an hour.
	eventually(t, "the old trace stored and then pruned", func() bool {
		stored := testutil.ToFloat64(a.Metrics().Stored.WithLabelValues(sinkmetrics.SignalSpans))
		var list traceList
		getJSON(t, a, "/api/v1/traces", &list)
		return stored == 2 && len(list.Traces) == 0
	})
	traceID := sendWithSDK(t, a, "http") // Timestamps now.
	eventually(t, "the fresh trace", func() bool { return countSpans(t, a, traceID) == 2 })
	if code := getJSON(t, a, "/api/v1/traces/"+traceID, &store.TraceDetail{}); code != 200 {
		t.Fatalf("fresh trace answered %d", code)
	}
}
