package memory_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

func id32(n int) string { return fmt.Sprintf("%032x", n) }

func TestOldestRecordsAreEvictedPastTheLimits(t *testing.T) {
	s := memory.New(config.Memory{MaxTraces: 2, MaxEvents: 2, MaxMetricPoints: 2})
	t0 := time.Unix(1000, 0)
	for n := 1; n <= 4; n++ {
		ts := t0.Add(time.Duration(n) * time.Second)
		// Trace 1 gets a second span later, which must not make it newer.
		tr := n
		if n == 3 {
			tr = 1
		}
		b := &store.Batch{
			Spans:   []store.Span{{TraceID: id32(tr), SpanID: fmt.Sprintf("%016x", n), StartTime: ts, EndTime: ts}},
			Events:  []store.Event{{EventID: id32(n), Timestamp: ts}},
			Metrics: []store.Metric{{MetricID: id32(n), Name: "m", Timestamp: ts}},
		}
		if err := s.Write(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]string, 0, 6)
	traces, _ := s.QueryTraces(t.Context(), store.TraceQuery{})
	for _, tr := range traces {
		got = append(got, tr.TraceID)
	}
	events, _ := s.QueryEvents(t.Context(), store.EventQuery{})
	for _, e := range events {
		got = append(got, e.EventID)
	}
	metrics, _ := s.QueryMetrics(t.Context(), store.MetricQuery{})
	for _, m := range metrics {
		got = append(got, m.MetricID)
	}
	want := []string{id32(4), id32(2), id32(4), id32(3), id32(4), id32(3)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kept records (-want +got):\n%s", d)
	}
}

func TestPrunedThenRewrittenTraceIsNotEvictedEarly(t *testing.T) {
	s := memory.New(config.Memory{MaxTraces: 2, MaxEvents: 1, MaxMetricPoints: 1})
	write := func(tr, sp int, sec int64) {
		ts := time.Unix(sec, 0)
		b := &store.Batch{Spans: []store.Span{{TraceID: id32(tr), SpanID: fmt.Sprintf("%016x", sp), StartTime: ts, EndTime: ts}}}
		if err := s.Write(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	write(1, 1, 10)
	if _, err := s.Prune(t.Context(), time.Unix(20, 0)); err != nil {
		t.Fatal(err)
	}
	write(2, 2, 30)
	write(1, 3, 40) // trace 1 again, now newer than trace 2
	write(3, 4, 50) // evicts trace 2, the oldest live one
	_, err := s.GetTrace(t.Context(), id32(1))
	if err != nil {
		t.Errorf("trace 1: %v, want it kept", err)
	}
	if _, err := s.GetTrace(t.Context(), id32(2)); err == nil {
		t.Error("trace 2 was kept, want it evicted")
	}
}
