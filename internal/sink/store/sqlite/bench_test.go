package sqlite_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func BenchmarkStore(b *testing.B) { storetest.Bench(b, openTB) }

// BenchmarkAggregate1M fills a store with a million points of one metric
// (TELEMETRY_BENCH_LARGE=1), then times the aggregations over them.
func BenchmarkAggregate1M(b *testing.B) { storetest.BenchAggregate1M(b, openTB) }

// BenchmarkWriteMetrics measures how many points per second a store writes.
func BenchmarkWriteMetrics(b *testing.B) { storetest.BenchWriteMetrics(b, openTB) }

// BenchmarkWriteSpansCPU: storetest.BenchWriteSpans; its spans/CPU-s is the
// whole store's cost per span.
func BenchmarkWriteSpansCPU(b *testing.B) { storetest.BenchWriteSpans(b, openTB) }
