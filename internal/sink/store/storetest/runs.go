//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The helpers below serve the SQL stores' own tests of their value runs
// (compaction, upgrades), which look into each store's tables and so
// cannot be part of Run.

// RunPoint is the gauge point numbered n of metric name with value v, sec
// seconds after the start of a minute.
func RunPoint(n int, name string, v float64, sec float64) store.Metric {
	return store.Metric{MetricID: fmt.Sprintf("%032x", n), Name: name, Value: v, AggregationType: store.AggregationGauge,
		Timestamp: time.Unix(1_700_000_040, 0).Add(time.Duration(sec * float64(time.Second))).UTC()}
}

// SmallWrites writes points as a busy sink does: many batches, each with a
// few points of each metric, so each minute gets many small runs. It
// returns the points of "latency" it wrote, numbered from first.
func SmallWrites(t *testing.T, s store.Store, first, batches int) []store.Metric {
	t.Helper()
	all := make([]store.Metric, 0, 3*batches)
	for b := range batches {
		var batch store.Batch
		for i := range 3 {
			n := first + b*3 + i
			batch.Metrics = append(batch.Metrics, RunPoint(n, "latency", float64(n*37%41), float64(n%120)+0.5))
		}
		batch.Metrics = append(batch.Metrics, RunPoint(first+100_000+b, "other", float64(b), float64(b)))
		if err := s.Write(t.Context(), &batch); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch.Metrics[:3]...)
	}
	return all
}

// Summarize aggregates points in time order the way the contract defines.
func Summarize(points []store.Metric, step time.Duration) []store.Aggregate {
	sorted := slices.Clone(points)
	slices.SortFunc(sorted, func(a, b store.Metric) int { return a.Timestamp.Compare(b.Timestamp) })
	var out []store.Aggregate
	var values []float64
	for i, m := range sorted {
		values = append(values, m.Value)
		b := store.BucketStart(m.Timestamp.UnixNano(), step)
		if i+1 < len(sorted) && store.BucketStart(sorted[i+1].Timestamp.UnixNano(), step) == b {
			continue
		}
		start := time.Unix(0, b).UTC()
		if step == 0 {
			start = sorted[0].Timestamp
		}
		out = append(out, store.Summarize(start, values))
		values = nil
	}
	return out
}

// CheckLatencyAggregates checks that s aggregates "latency" at each step
// as Summarize does points; when, if set, says at which point of the test.
func CheckLatencyAggregates(t *testing.T, s store.Store, points []store.Metric, when string, steps ...time.Duration) {
	t.Helper()
	for _, step := range steps {
		got, err := s.AggregateMetrics(t.Context(), store.AggregateQuery{Name: "latency", Step: step})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(Summarize(points, step), got, cmpopts.EquateApprox(1e-12, 0)); d != "" {
			t.Errorf("%sstep %v: aggregates (-want +got):\n%s", when, step, d)
		}
	}
}

// CheckCompaction checks that compaction merges each minute's small runs
// into one and keeps the aggregates exact, pass after pass. compact runs
// one pass over at most limit runs (or names and minutes) and reports
// whether more are left; latencyRuns counts the stored runs of "latency".
func CheckCompaction(t *testing.T, s store.Store, compact func(limit int) (more bool, err error), latencyRuns func() int) {
	t.Helper()
	points := SmallWrites(t, s, 1, 40)
	steps := []time.Duration{0, time.Minute, 20 * time.Second}
	if n := latencyRuns(); n < 40 {
		t.Fatalf("%d runs of latency before compaction, want one or more per write", n)
	}
	for pass := 0; ; pass++ {
		more, err := compact(7)
		if err != nil {
			t.Fatal(err)
		}
		CheckLatencyAggregates(t, s, points, fmt.Sprintf("after pass %d, ", pass), steps...)
		if !more {
			break
		}
	}
	// 120 points over two minutes: 60 a minute, less than half a row, make
	// one run per minute.
	if n := latencyRuns(); n != 2 {
		t.Errorf("%d runs of latency after compaction, want 2", n)
	}
	before := latencyRuns()
	if more, err := compact(7); more || err != nil || latencyRuns() != before {
		t.Errorf("a pass with nothing new: more %v, %v, %d runs instead of %d", more, err, latencyRuns(), before)
	}
	points = append(points, SmallWrites(t, s, 1000, 5)...)
	if _, err := compact(1000); err != nil {
		t.Fatal(err)
	}
	CheckLatencyAggregates(t, s, points, "after more writes and a pass, ", steps...)
	if n := latencyRuns(); n != 2 {
		t.Errorf("%d runs of latency after the second compaction, want 2", n)
	}
}
