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

// BenchmarkWriteSpans: storetest.BenchWriteSpans on a durable server; its
// spans/s is the store's throughput, its spans/CPU-s the client side only.
func BenchmarkWriteSpans(b *testing.B) {
	srv := pgtest.NewDurable(b)
	storetest.BenchWriteSpans(b, func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), srv.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// BenchmarkAggregate1M fills a store with a million points of one metric
// (TELEMETRY_BENCH_LARGE=1), then times the aggregations over them, on a
// durable server like BenchmarkStore.
func BenchmarkAggregate1M(b *testing.B) {
	srv := pgtest.NewDurable(b)
	storetest.BenchAggregate1M(b, func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), srv.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// BenchmarkWriteMetrics measures how many points per second a store writes.
func BenchmarkWriteMetrics(b *testing.B) {
	srv := pgtest.NewDurable(b)
	storetest.BenchWriteMetrics(b, func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), srv.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	})
}
