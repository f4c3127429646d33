package sqlite_test

import (
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// createVersion makes the schema of the given version from its files, with
// no data; the caller closes the database.
func createVersion(t *testing.T, path string, version int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range storetest.SchemaFiles(t, version) {
		if _, err := db.Exec(body); err != nil {
			t.Fatalf("schema file %d: %v", i+1, err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		t.Fatal(err)
	}
	return db
}

// createVersion2 makes the database version 2 made: its two schema files,
// then points inserted as its Write did (NaN as NULL), with no value runs.
func createVersion2(t *testing.T, path string, points []store.Metric) {
	db := createVersion(t, path, 2)
	defer func() { _ = db.Close() }()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range points {
		value := sql.NullFloat64{Float64: m.Value, Valid: !math.IsNaN(m.Value)}
		if _, err := tx.Exec("INSERT INTO metrics (metric_id, name, value, aggregation_type, timestamp) VALUES (?, ?, ?, ?, ?)",
			m.MetricID, m.Name, value, m.AggregationType, m.Timestamp.UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestOpeningAVersion2DatabaseFillsTheValueRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	old := make([]store.Metric, 0, 502)
	for i := range 500 {
		old = append(old, storetest.RunPoint(i+1, "latency", float64(i*31%97), float64(i)*0.7))
	}
	old = append(old, storetest.RunPoint(1000, "latency", math.NaN(), 3), storetest.RunPoint(1001, "other", 5, 10))
	createVersion2(t, path, old)

	s, err := sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	// A point written after the upgrade, and an old one written again,
	// count once each.
	if err := s.Write(t.Context(), &store.Batch{Metrics: []store.Metric{
		storetest.RunPoint(2000, "latency", 1000, 100), old[7]}}); err != nil {
		t.Fatal(err)
	}
	kept := append(old[:500:500], storetest.RunPoint(2000, "latency", 1000, 100))
	storetest.CheckLatencyAggregates(t, s, kept, "", 0, time.Minute, 45*time.Second)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var version, runs int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM metric_runs WHERE name = 'latency'").Scan(&runs); err != nil {
		t.Fatal(err)
	}
	// 500 points 0.7 s apart cover minutes 0 to 5; the upgrade makes one run
	// per minute, the write after it one more.
	if version != sqlite.SchemaVersion() || runs != 7 {
		t.Errorf("user_version %d with %d runs of latency; want %d and 7", version, runs, sqlite.SchemaVersion())
	}
}

// Version 4 keys spans by (trace_id, span_id): spans that version 3 stored
// keep their rows, are still read by trace and deduplicated, and a span id
// that another trace uses too is no longer taken for a duplicate.
func TestOpeningAVersion3DatabaseKeysSpansByTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	db := createVersion(t, path, 3)
	old := storetest.UpgradeSpans()
	for _, sp := range old {
		if _, err := db.Exec(`INSERT INTO spans (span_id, trace_id, name, kind, start_time, end_time, duration, status)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, sp.SpanID, sp.TraceID, sp.Name, sp.Kind,
			sp.StartTime.UnixNano(), sp.EndTime.UnixNano(), sp.Status); err != nil {
			t.Fatal(err)
		}
	}
	for tr := range 3 {
		if _, err := db.Exec(`INSERT INTO traces (trace_id, start_time, end_time, duration, status, span_count)
			VALUES (?, ?, ?, 0, 'ok', 10)`, old[tr*10].TraceID, old[tr*10].StartTime.UnixNano(), old[tr*10+9].EndTime.UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()

	s, err := sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storetest.CheckSpansKeyedByTrace(t, s, old)
	version, indexes := spanIndexes(t, path)
	want := []string{"idx_spans_start_time", "idx_spans_trace_id_span_id"}
	if version != sqlite.SchemaVersion() || !slices.Equal(indexes, want) {
		t.Errorf("user_version %d, indexes on spans %v; want %d and %v", version, indexes, sqlite.SchemaVersion(), want)
	}
}

// spanIndexes reads the database's schema version and the names of the
// indexes on spans.
func spanIndexes(t *testing.T, path string) (version int, indexes []string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return version, indexes
}

// A database of schema 6, written before log records were kept, gains the
// logs table and keeps what it held.
func TestOpeningAVersion6DatabaseAddsTheLogsTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v6.db")
	db := createVersion(t, path, 6)
	e := storetest.UpgradeEvent()
	if _, err := db.Exec("INSERT INTO events (event_id, type, name, timestamp) VALUES (?, ?, ?, ?)",
		e.EventID, e.Type, e.Name, e.Timestamp.UnixNano()); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	s, err := sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storetest.CheckLogsAfterUpgrade(t, s)
}
