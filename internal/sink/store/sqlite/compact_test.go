package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

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
	storetest.CheckCompaction(t, s, func(limit int) (bool, error) { return s.CompactRuns(t.Context(), limit) },
		func() int { return latencyRuns(t, path) })
}
