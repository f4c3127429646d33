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

// BenchmarkAggregate1M fills a store with a million points of one metric
// (TELEMETRY_BENCH_LARGE=1), then times the aggregations over them.
func BenchmarkAggregate1M(b *testing.B) {
	storetest.BenchAggregate1M(b, func(tb testing.TB) store.Store {
		s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "bench.db"), 5*time.Second)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// BenchmarkWriteMetrics measures how many points per second a store writes.
func BenchmarkWriteMetrics(b *testing.B) {
	storetest.BenchWriteMetrics(b, func(tb testing.TB) store.Store {
		s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "bench.db"), 5*time.Second)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
