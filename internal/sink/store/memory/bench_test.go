package memory_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) store.Store {
		s := memory.New(config.Memory{MaxTraces: 200_000, MaxEvents: 1_000_000, MaxMetricPoints: 1_000_000})
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// BenchmarkAggregate1M: storetest.BenchAggregate1M on a store bounded at a
// million points (TELEMETRY_BENCH_LARGE=1).
func BenchmarkAggregate1M(b *testing.B) {
	storetest.BenchAggregate1M(b, func(testing.TB) store.Store {
		return memory.New(config.Memory{MaxMetricPoints: storetest.Aggregate1MPoints})
	})
}
