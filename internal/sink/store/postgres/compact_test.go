package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
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

func TestCompactionMergesEachMinutesRunsAndKeepsTheAggregates(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	runRows := func() int {
		var n int
		if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM metric_runs WHERE name = 'latency'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
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
	if n := runRows(); n < 40 {
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
	if n := runRows(); n != 2 {
		t.Errorf("%d runs of latency after compaction, want 2", n)
	}
	before := runRows()
	if more, err := s.CompactRuns(t.Context(), 7); more || err != nil || runRows() != before {
		t.Errorf("a pass with nothing new: more %v, %v, %d runs instead of %d", more, err, runRows(), before)
	}
	points = append(points, smallWrites(t, s, 1000, 5)...)
	if _, err := s.CompactRuns(t.Context(), 1000); err != nil {
		t.Fatal(err)
	}
	check("after more writes and a pass")
	if n := runRows(); n != 2 {
		t.Errorf("%d runs of latency after the second compaction, want 2", n)
	}
}

func TestCompactionWaitsWhileAnotherReplicaHoldsTheRunsLock(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	smallWrites(t, s, 1, 5)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "SELECT pg_advisory_xact_lock(7305712026)"); err != nil {
		t.Fatal(err)
	}
	var before, after int
	_ = conn.QueryRow(t.Context(), "SELECT count(*) FROM metric_runs").Scan(&before)
	if _, err := s.CompactRuns(t.Context(), 1000); err != nil {
		t.Fatal(err)
	}
	_ = conn.QueryRow(t.Context(), "SELECT count(*) FROM metric_runs").Scan(&after)
	if after != before {
		t.Errorf("%d runs after a pass under another's lock, want the %d there were", after, before)
	}
	_ = tx.Rollback(t.Context())
}

func TestCompactionCutsARunLargerThanAPage(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	var batch store.Batch
	for i := range 1200 {
		batch.Metrics = append(batch.Metrics, upgradePoint(i+1, "latency", float64(i*7%1201), float64(i)*0.04))
	}
	if err := s.Write(t.Context(), &batch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompactRuns(t.Context(), 1000); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rows, err := conn.Query(t.Context(), "SELECT count FROM metric_runs ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int32{500, 500, 200}, counts); d != "" {
		t.Errorf("runs after compaction (-want +got):\n%s", d)
	}
	got, err := s.AggregateMetrics(t.Context(), store.AggregateQuery{Name: "latency", Step: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(summarize(batch.Metrics, 20*time.Second), got, cmpopts.EquateApprox(1e-12, 0)); d != "" {
		t.Errorf("aggregates (-want +got):\n%s", d)
	}
}
