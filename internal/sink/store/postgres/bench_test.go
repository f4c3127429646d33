package postgres_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// durable starts a server with PostgreSQL's default durability (the shared
// test server has fsync off, which would flatter every write) and opens a
// store on a fresh database of it for each caller.
func durable(b *testing.B) func(testing.TB) store.Store {
	srv := pgtest.NewDurable(b)
	return func(tb testing.TB) store.Store {
		s, err := postgres.Open(tb.Context(), srv.NewDatabase(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	}
}

// BenchmarkStore runs the store benchmarks on a durable server.
func BenchmarkStore(b *testing.B) { storetest.Bench(b, durable(b)) }

// BenchmarkWriteSpans: storetest.BenchWriteSpans on a durable server; its
// spans/s is the store's throughput, its spans/CPU-s the client side only.
func BenchmarkWriteSpans(b *testing.B) { storetest.BenchWriteSpans(b, durable(b)) }

// BenchmarkAggregate1M fills a store with a million points of one metric
// (TELEMETRY_BENCH_LARGE=1), then times the aggregations over them, on a
// durable server.
func BenchmarkAggregate1M(b *testing.B) { storetest.BenchAggregate1M(b, durable(b)) }

// BenchmarkWriteMetrics measures how many points per second a store writes.
func BenchmarkWriteMetrics(b *testing.B) { storetest.BenchWriteMetrics(b, durable(b)) }
