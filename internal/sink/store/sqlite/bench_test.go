package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) store.Store {
		s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "bench.db"), 5*time.Second)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
