package postgres_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
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
	for i, body := range storetest.SchemaFiles(t, version) {
		if _, err := conn.Exec(t.Context(), body); err != nil {
			t.Fatalf("schema file %d: %v", i+1, err)
		}
		if _, err := conn.Exec(t.Context(), "INSERT INTO schema_version (version) VALUES ($1)", i+1); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func TestOpeningAVersion2DatabaseFillsTheValueRuns(t *testing.T) {
	url := pgtest.NewDatabase(t)
	old := make([]store.Metric, 0, 1202)
	for i := range 1200 {
		old = append(old, storetest.RunPoint(i+1, "latency", float64(i*31%97), float64(i)*0.1))
	}
	createVersion2(t, url, append(old, storetest.RunPoint(5000, "latency", math.NaN(), 3),
		storetest.RunPoint(5001, "other", 5, 10)))

	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	late := []store.Metric{storetest.RunPoint(6000, "latency", 1000, 100), storetest.RunPoint(6001, "latency", -4, 200)}
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
	storetest.CheckLatencyAggregates(t, s, kept, "", 0, time.Minute, 45*time.Second)
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

// A database of schema 6, written before log records were kept, gains the
// logs table and keeps what it held.
func TestOpeningAVersion6DatabaseAddsTheLogsTable(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn := createVersion(t, url, 6)
	e := storetest.UpgradeEvent()
	if _, err := conn.Exec(t.Context(), "INSERT INTO events (event_id, type, name, timestamp) VALUES ($1, $2, $3, $4)",
		e.EventID, e.Type, e.Name, e.Timestamp); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close(t.Context())
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storetest.CheckLogsAfterUpgrade(t, s)
}
