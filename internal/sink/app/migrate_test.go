package app_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// seedBatch has spans over many traces, events and metric points.
func seedBatch() *store.Batch {
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	b := &store.Batch{}
	for i := range 250 {
		b.Spans = append(b.Spans, store.Span{
			TraceID: fmt.Sprintf("%032x", i/5+1), SpanID: fmt.Sprintf("%016x", i+1), Name: "op", Kind: "internal",
			StartTime: t0.Add(time.Duration(i) * time.Second), EndTime: t0.Add(time.Duration(i+1) * time.Second),
			Duration: 1, Status: store.SpanStatusOK, Resource: store.Attributes{"service.name": "svc"},
		})
	}
	for i := range 120 {
		b.Events = append(b.Events, store.Event{EventID: fmt.Sprintf("%032x", i+1), Type: store.EventTypeLog,
			Name: "ev", Timestamp: t0.Add(time.Duration(i) * time.Second)})
		b.Metrics = append(b.Metrics, store.Metric{MetricID: fmt.Sprintf("%032x", i+1), Name: "m", Value: float64(i),
			AggregationType: store.AggregationGauge, Timestamp: t0.Add(time.Duration(i) * time.Second)})
	}
	return b
}

// counts reads every record of a store.
func counts(t *testing.T, s store.Store) app.MigrateCounts {
	t.Helper()
	var c app.MigrateCounts
	err := s.ReadAll(context.Background(), 100, func(b *store.Batch) error {
		c.Spans += len(b.Spans)
		c.Events += len(b.Events)
		c.Metrics += len(b.Metrics)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seededSQLite(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "telemetry.db")
	src, err := app.OpenURL(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Write(context.Background(), seedBatch()); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var seeded = app.MigrateCounts{Spans: 250, Events: 120, Metrics: 120}

func TestMigrateCopiesEveryRowFromSQLiteToMemory(t *testing.T) {
	ctx := context.Background()
	src, err := app.OpenURL(ctx, "sqlite://"+seededSQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	dst, err := app.OpenURL(ctx, "memory:")
	if err != nil {
		t.Fatal(err)
	}
	copied, err := app.Migrate(ctx, src, dst, 64)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(seeded, copied); diff != "" {
		t.Errorf("reported copies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(seeded, counts(t, dst)); diff != "" {
		t.Errorf("rows in the destination (-want +got):\n%s", diff)
	}
	traces, err := dst.QueryTraces(ctx, store.TraceQuery{Limit: 1000})
	if err != nil || len(traces) != 50 {
		t.Fatalf("destination derived %d traces (%v), want 50", len(traces), err)
	}
}

func TestMigrateCommandCopiesEveryRowFromSQLiteToPostgreSQLTwiceWithoutDuplicates(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	args := []string{"migrate", "--from", "sqlite://" + seededSQLite(t), "--to", dbURL, "--batch-size", "100"}
	for run := range 2 {
		var stderr bytes.Buffer
		if code := app.Main(context.Background(), args, noEnv(), &stderr); code != 0 {
			t.Fatalf("run %d: exit %d: %s", run, code, stderr.String())
		}
	}
	dst, err := app.OpenURL(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = dst.Close() }()
	if diff := cmp.Diff(seeded, counts(t, dst)); diff != "" {
		t.Errorf("rows in PostgreSQL after two runs (-want +got):\n%s", diff)
	}
}

func TestHeadersComeFromPrefixedEnvironmentVariables(t *testing.T) {
	got := app.Headers([]string{"TELEMETRY_OTLP_HEADER_x-honeycomb-team=KEY", "PATH=/bin",
		"TELEMETRY_OTLP_HEADER_api-key=a=b", "TELEMETRY_OTLP_HEADER_=ignored"})
	want := map[string]string{"x-honeycomb-team": "KEY", "api-key": "a=b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}
