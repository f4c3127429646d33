package sqlite_test

import (
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

// createVersion2 makes the database version 2 made: its two schema files,
// then points inserted as its Write did (NaN as NULL), with no value runs.
func createVersion2(t *testing.T, path string, points []store.Metric) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, f := range []string{"schema/0001_init.sql", "schema/0002_trace_list_order.sql"} {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := db.Exec("PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
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

func upgradePoint(n int, name string, v float64, sec float64) store.Metric {
	return store.Metric{MetricID: fmt.Sprintf("%032x", n), Name: name, Value: v, AggregationType: store.AggregationGauge,
		Timestamp:  time.Unix(1_700_000_040, 0).Add(time.Duration(sec * float64(time.Second))).UTC(),
		Attributes: store.Attributes{}}
}

func TestOpeningAVersion2DatabaseFillsTheValueRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	var old []store.Metric
	for i := range 500 {
		old = append(old, upgradePoint(i+1, "latency", float64(i*31%97), float64(i)*0.7))
	}
	old = append(old, upgradePoint(1000, "latency", math.NaN(), 3), upgradePoint(1001, "other", 5, 10))
	createVersion2(t, path, old)

	s, err := sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	// A point written after the upgrade, and an old one written again,
	// count once each.
	if err := s.Write(t.Context(), &store.Batch{Metrics: []store.Metric{
		upgradePoint(2000, "latency", 1000, 100), old[7]}}); err != nil {
		t.Fatal(err)
	}
	kept := append(old[:500:500], upgradePoint(2000, "latency", 1000, 100))
	for _, step := range []time.Duration{0, time.Minute, 45 * time.Second} {
		got, err := s.AggregateMetrics(t.Context(), store.AggregateQuery{Name: "latency", Step: step})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(summarize(kept, step), got, cmpopts.EquateApprox(1e-12, 0)); d != "" {
			t.Errorf("step %v: aggregates (-want +got):\n%s", step, d)
		}
	}
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
	if version != 3 || runs != 7 {
		t.Errorf("user_version %d with %d runs of latency; want 3 and 7", version, runs)
	}
}

// summarize aggregates points in time order the way the contract defines.
func summarize(points []store.Metric, step time.Duration) []store.Aggregate {
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
