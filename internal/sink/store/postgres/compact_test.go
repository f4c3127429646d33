package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

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
	latencyRuns := func() int {
		var n int
		if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM metric_runs WHERE name = 'latency'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	storetest.CheckCompaction(t, s, func(limit int) (bool, error) { return s.CompactRuns(t.Context(), int64(limit)) },
		latencyRuns)
}

func TestCompactionWaitsWhileAnotherReplicaHoldsTheRunsLock(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storetest.SmallWrites(t, s, 1, 5)
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
		batch.Metrics = append(batch.Metrics, storetest.RunPoint(i+1, "latency", float64(i*7%1201), float64(i)*0.04))
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
	storetest.CheckLatencyAggregates(t, s, batch.Metrics, "", 20*time.Second)
}
