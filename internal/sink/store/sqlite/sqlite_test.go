package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestAggregateConsistency(t *testing.T) { storetest.AggregateConsistency(t, open) }

func open(t *testing.T) store.Store { return openTB(t) }

// openTB opens a store on a fresh file, closed when tb ends; tests and
// benchmarks both use it.
func openTB(tb testing.TB) store.Store {
	s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "telemetry.db"), 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
