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
