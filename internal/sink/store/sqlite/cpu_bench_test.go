package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// BenchmarkWriteSpansCPU: storetest.BenchWriteSpans on a fresh database
// file; its spans/CPU-s is the whole store's cost per span.
func BenchmarkWriteSpansCPU(b *testing.B) {
	storetest.BenchWriteSpans(b, func(tb testing.TB) store.Store {
		s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "bench.db"), 5*time.Second)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
