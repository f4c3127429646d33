package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

func eventBatch(n int) *store.Batch {
	return &store.Batch{Events: []store.Event{{EventID: fmt.Sprintf("%032x", n), Type: "log",
		Name: "e", Timestamp: time.Unix(int64(n), 0)}}}
}

func TestOpenSizesThePoolFromTheURL(t *testing.T) {
	s, err := postgres.Open(t.Context(), withParam(pgtest.NewDatabase(t), "min_size=1&max_size=3"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if min, max := s.PoolSize(); min != 1 || max != 3 {
		t.Errorf("pool of %d to %d connections, want 1 to 3", min, max)
	}
}

func TestReopeningAppliesNoMigrationTwice(t *testing.T) {
	url := pgtest.NewDatabase(t)
	for range 2 {
		s, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var versions int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM schema_version").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("schema/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if versions != len(files) {
		t.Errorf("%d schema versions recorded, want %d (one per schema file)", versions, len(files))
	}
}

func TestWriteFailsWhileTheServerIsDownAndRecoversAfter(t *testing.T) {
	srv := pgtest.New(t)
	s, err := postgres.Open(t.Context(), srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Write(t.Context(), eventBatch(1)); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), eventBatch(2)); err == nil || errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Write with the server down: %v, want a retryable error", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// Retry as the sink does: pooled connections broken by the restart fail once each.
	deadline := time.Now().Add(30 * time.Second)
	for err = s.Write(t.Context(), eventBatch(2)); err != nil; err = s.Write(t.Context(), eventBatch(2)) {
		if time.Now().After(deadline) {
			t.Fatalf("Write after restart still fails: %v", err)
		}
	}
	events, err := s.QueryEvents(t.Context(), store.EventQuery{})
	if err != nil || len(events) != 2 {
		t.Errorf("after recovery: %d events, %v; want 2", len(events), err)
	}
}

func TestWriteMarksRefusedDataInvalid(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	b := eventBatch(1)
	b.Events[0].Timestamp = time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC) // past timestamptz's range
	if err := s.Write(t.Context(), b); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Write of a time PostgreSQL cannot hold: %v, want ErrInvalid", err)
	}
}
