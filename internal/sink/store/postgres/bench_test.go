package postgres_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), pgtest.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
