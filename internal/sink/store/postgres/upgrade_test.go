package postgres_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// insertPoints inserts points as a sink of version 2 does: straight into
// metrics, knowing nothing of value runs.
func insertPoints(t *testing.T, conn *pgx.Conn, points []store.Metric) {
	t.Helper()
	for _, m := range points {
		if _, err := conn.Exec(t.Context(), "INSERT INTO metrics (metric_id, name, value, aggregation_type, timestamp) "+
			"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (metric_id) DO NOTHING",
			m.MetricID, m.Name, m.Value, m.AggregationType, m.Timestamp); err != nil {
			t.Fatal(err)
		}
	}
}

// createVersion2 makes the database version 2 made: its two schema files
// and their schema_version rows, then points, with no value runs.
func createVersion2(t *testing.T, url string, points []store.Metric) {
	conn := createVersion(t, url, 2)
	defer func() { _ = conn.Close(context.Background()) }()
	insertPoints(t, conn, points)
}

// createVersion applies the first version schema files, as the sink of
// that version did, and returns a connection to the database.
func createVersion(t *testing.T, url string, version int) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "+
		"applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("schema/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for i, f := range files[:version] {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := conn.Exec(t.Context(), "INSERT INTO schema_version (version) VALUES ($1)", i+1); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func upgradePoint(n int, name string, v float64, sec float64) store.Metric {
	return store.Metric{MetricID: fmt.Sprintf("%032x", n), Name: name, Value: v, AggregationType: store.AggregationGauge,
		Timestamp: time.Unix(1_700_000_040, 0).Add(time.Duration(sec * float64(time.Second))).UTC()}
}

func TestOpeningAVersion2DatabaseFillsTheValueRuns(t *testing.T) {
	url := pgtest.NewDatabase(t)
	old := make([]store.Metric, 0, 1202)
	for i := range 1200 {
		old = append(old, upgradePoint(i+1, "latency", float64(i*31%97), float64(i)*0.1))
	}
	createVersion2(t, url, append(old, upgradePoint(5000, "latency", math.NaN(), 3), upgradePoint(5001, "other", 5, 10)))

	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	late := []store.Metric{upgradePoint(6000, "latency", 1000, 100), upgradePoint(6001, "latency", -4, 200)}
	// A point written after the upgrade, and an old one written again,
	// count once each; so does a point that a sink of version 2, still
	// running beside this one, writes.
	if err := s.Write(t.Context(), &store.Batch{Metrics: []store.Metric{late[0], old[7]}}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	insertPoints(t, conn, []store.Metric{late[1], old[9]})

	kept := append(slices.Clone(old), late...)
	for _, step := range []time.Duration{0, time.Minute, 45 * time.Second} {
		got, err := s.AggregateMetrics(t.Context(), store.AggregateQuery{Name: "latency", Step: step})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(summarize(kept, step), got, cmpopts.EquateApprox(1e-12, 0)); d != "" {
			t.Errorf("step %v: aggregates (-want +got):\n%s", step, d)
		}
	}
	// 1200 points 0.1 s apart fill minutes 0 and 1, 600 each: two runs per
	// minute (of 500 points at most); the write after the upgrade adds one
	// run, the old sink's insert another.
	var runs int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM metric_runs WHERE name = 'latency'").Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 6 {
		t.Errorf("%d runs of latency, want 6", runs)
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
