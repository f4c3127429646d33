package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

// TestABatchRefusedByAnotherWritersLockLeavesNothingAndTheNextOneLands:
// while another process (here a second connection, as the sqlite3 shell
// would be) holds the write lock past the busy timeout, Write fails with
// SQLite's busy error and stores nothing of the batch; once the lock is
// released, the same batch and the ones after it are written whole.
func TestABatchRefusedByAnotherWritersLockLeavesNothingAndTheNextOneLands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telemetry.db")
	s, err := sqlite.Open(t.Context(), path, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	other.SetMaxOpenConns(1)
	ts := time.Unix(100, 0)
	batch := func(trace string) *store.Batch {
		return &store.Batch{
			Spans: []store.Span{{TraceID: trace, SpanID: "0123456789abcdef", Name: "root", StartTime: ts, EndTime: ts},
				{TraceID: trace, SpanID: "1123456789abcdef", ParentSpanID: "0123456789abcdef", Name: "child", StartTime: ts, EndTime: ts}},
			Metrics: []store.Metric{{MetricID: strings.Repeat("f", 32), Name: "m", Value: 1, Timestamp: ts,
				AggregationType: store.AggregationGauge}}}
	}
	first, second := strings.Repeat("a", 32), strings.Repeat("b", 32)

	if _, err := other.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	err = s.Write(t.Context(), batch(first))
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("Write under another writer's lock: %v, want SQLite's busy error", err)
	}
	if _, err := other.Exec("ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var spans, points int
	if err := other.QueryRow("SELECT (SELECT count(*) FROM spans), (SELECT count(*) FROM metrics)").Scan(&spans, &points); err != nil {
		t.Fatal(err)
	}
	if spans != 0 || points != 0 {
		t.Fatalf("the refused batch left %d spans and %d points", spans, points)
	}

	for _, tr := range []string{first, second} {
		if err := s.Write(t.Context(), batch(tr)); err != nil {
			t.Fatalf("Write after the lock was released: %v", err)
		}
		d, err := s.GetTrace(t.Context(), tr)
		if err != nil || len(d.Spans) != 2 || d.Trace.SpanCount != 2 || d.Trace.Name != "root" {
			t.Fatalf("trace %s: %+v, %v; want its 2 spans under root", tr, d, err)
		}
	}
}
