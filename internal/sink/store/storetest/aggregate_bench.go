package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Aggregate1MPoints is how many points BenchAggregate1M stores: one
// metric over a day, one point every 86.4 ms.
const Aggregate1MPoints = 1_000_000

// BenchAggregate1M measures AggregateMetrics over a million points of one
// metric spread over a day with random values, written in batches of 1000
// consecutive points as an exporter sends them. It reports the 5-minute and
// whole-range (Step zero) aggregations, the same two with an attribute
// filter that every point passes (the path that reads the metric rows
// themselves), and the write rate of 1000-point batches. Filling takes
// minutes, so it runs only when EnvBenchLarge is set.
func BenchAggregate1M(b *testing.B, newStore func(testing.TB) store.Store) {
	if os.Getenv(EnvBenchLarge) != "1" {
		b.Skipf("set %s=1 to fill a store with a million points", EnvBenchLarge)
	}
	b.Run("Write1000Points", func(b *testing.B) {
		s := newStore(b)
		n := 0
		for b.Loop() {
			fill(b, s, &store.Batch{Metrics: dayPoints(n*1000, 1000)})
			n++
		}
		b.ReportMetric(float64(n*1000)/b.Elapsed().Seconds(), "points/s")
	})
	s := newStore(b)
	start := time.Now()
	for i := 0; i < Aggregate1MPoints; i += 1000 {
		fill(b, s, &store.Batch{Metrics: dayPoints(i, 1000)})
	}
	b.Logf("filled %d points in %v (%.0f points/s)", Aggregate1MPoints, time.Since(start),
		Aggregate1MPoints/time.Since(start).Seconds())
	everything := store.AttributeFilter{"host": "node-1"}
	for _, bc := range []struct {
		name string
		q    store.AggregateQuery
	}{
		{"Step5m", store.AggregateQuery{Name: "bench.day", Step: 5 * time.Minute}},
		{"Step0", store.AggregateQuery{Name: "bench.day"}},
		{"Step5mAttributeFilter", store.AggregateQuery{Name: "bench.day", Step: 5 * time.Minute, Attributes: everything}},
		{"Step0AttributeFilter", store.AggregateQuery{Name: "bench.day", Attributes: everything}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				aggs, err := s.AggregateMetrics(b.Context(), bc.q)
				if err != nil {
					b.Fatal(err)
				}
				if n := countPoints(aggs); n != Aggregate1MPoints {
					b.Fatalf("aggregated %d points, want %d", n, Aggregate1MPoints)
				}
			}
		})
	}
}

func countPoints(aggs []store.Aggregate) int {
	n := 0
	for _, a := range aggs {
		n += int(a.Count)
	}
	return n
}

// dayPoints makes points first..first+n-1 of "bench.day": 86.4 ms apart
// (whole microseconds, which PostgreSQL keeps), with log-normal latencies
// rounded to 0.01 so that values repeat, as measured latencies do.
func dayPoints(first, n int) []store.Metric {
	rng := rand.New(rand.NewPCG(uint64(first), 7))
	attrs := store.Attributes{"host": "node-1"}
	out := make([]store.Metric, 0, n)
	for i := first; i < first+n; i++ {
		v := math.Round(math.Exp(rng.NormFloat64()+3)*100) / 100
		out = append(out, store.Metric{MetricID: fmt.Sprintf("%032x", 0xda00000000+i), Name: "bench.day",
			Value: v, Unit: "ms", AggregationType: store.AggregationGauge,
			Timestamp: base.Add(time.Duration(i) * 86400 * time.Microsecond), Attributes: attrs})
	}
	return out
}
