package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

// smallWrites writes points as a busy sink does: many batches, each with a
// few points of each metric, so each minute gets many small runs.
func smallWrites(t *testing.T, s store.Store, first, batches int) []store.Metric {
	t.Helper()
	all := make([]store.Metric, 0, 3*batches)
	for b := range batches {
		var batch store.Batch
		for i := range 3 {
			n := first + b*3 + i
			batch.Metrics = append(batch.Metrics, upgradePoint(n, "latency", float64(n*37%41), float64(n%120)+0.5))
		}
		batch.Metrics = append(batch.Metrics, upgradePoint(first+100_000+b, "other", float64(b), float64(b)))
		if err := s.Write(t.Context(), &batch); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch.Metrics[:3]...)
	}
	return all
}

// latencyRuns counts the rows of metric_runs of the metric latency.
func latencyRuns(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM metric_runs WHERE name = 'latency'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCompactionMergesEachMinutesRunsAndKeepsTheAggregates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telemetry.db")
	s, err := sqlite.Open(t.Context(), path, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	points := smallWrites(t, s, 1, 40)
	check := func(when string) {
		t.Helper()
		for _, step := range []time.Duration{0, time.Minute, 20 * time.Second} {
			got, err := s.AggregateMetrics(t.Context(), store.AggregateQuery{Name: "latency", Step: step})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(summarize(points, step), got, cmpopts.EquateApprox(1e-12, 0)); d != "" {
				t.Errorf("%s, step %v: aggregates (-want +got):\n%s", when, step, d)
			}
		}
	}
	if n := latencyRuns(t, path); n < 40 {
		t.Fatalf("%d runs of latency before compaction, want one or more per write", n)
	}
	for pass := 0; ; pass++ {
		more, err := s.CompactRuns(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("after pass %d", pass))
		if !more {
			break
		}
	}
	// 120 points over two minutes: 60 a minute, less than half a row, make
	// one run per minute.
	if n := latencyRuns(t, path); n != 2 {
		t.Errorf("%d runs of latency after compaction, want 2", n)
	}
	before := latencyRuns(t, path)
	if more, err := s.CompactRuns(t.Context(), 7); more || err != nil || latencyRuns(t, path) != before {
		t.Errorf("a pass with nothing new: more %v, %v, %d runs instead of %d", more, err,
			latencyRuns(t, path), before)
	}
	points = append(points, smallWrites(t, s, 1000, 5)...)
	if _, err := s.CompactRuns(t.Context(), 1000); err != nil {
		t.Fatal(err)
	}
	check("after more writes and a pass")
	if n := latencyRuns(t, path); n != 2 {
		t.Errorf("%d runs of latency after the second compaction, want 2", n)
	}
}
