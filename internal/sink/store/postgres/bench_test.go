package postgres_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// BenchmarkStore runs on a server with PostgreSQL's default durability:
// the shared test server has fsync off, which would flatter every write.
func BenchmarkStore(b *testing.B) {
	srv := pgtest.NewDurable(b)
	storetest.Bench(b, func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), srv.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
