//nolint:goconst // Test data reads best as literals.
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
// metric spread over a day with random values, in two shapes of writes:
// InOrder, batches of 1000 consecutive points as one exporter sends them,
// and Shuffled, batches of 100 points at random times of the day, the
// worst case for stores that keep each write's points of a minute
// together. It times the 5-minute and whole-range (Step zero)
// aggregations, and for InOrder the same two with an attribute filter that
// every point passes (the path that reads the points themselves). Filling
// takes minutes, so it runs only when EnvBenchLarge is set.
func BenchAggregate1M(b *testing.B, newStore func(testing.TB) store.Store) {
	if os.Getenv(EnvBenchLarge) != "1" {
		b.Skipf("set %s=1 to fill a store with a million points", EnvBenchLarge)
	}
	everything := store.AttributeFilter{"host": "node-1"}
	queries := []struct {
		name string
		q    store.AggregateQuery
	}{
		{"Step5m", store.AggregateQuery{Name: "bench.day", Step: 5 * time.Minute}},
		{"Step0", store.AggregateQuery{Name: "bench.day"}},
		{"Step5mAttributeFilter", store.AggregateQuery{Name: "bench.day", Step: 5 * time.Minute, Attributes: everything}},
		{"Step0AttributeFilter", store.AggregateQuery{Name: "bench.day", Attributes: everything}},
	}
	for _, shape := range []struct {
		name    string
		batch   int
		order   func(i int) int
		queries int
	}{
		{"InOrder", 1000, func(i int) int { return i }, 4},
		{"Shuffled", 100, shuffle, 2},
	} {
		b.Run(shape.name, func(b *testing.B) {
			s := newStore(b)
			start := time.Now()
			for i := 0; i < Aggregate1MPoints; i += shape.batch {
				fill(b, s, &store.Batch{Metrics: dayPoints(i, shape.batch, shape.order)})
			}
			b.Logf("filled %d points in %v (%.0f points/s)", Aggregate1MPoints, time.Since(start),
				Aggregate1MPoints/time.Since(start).Seconds())
			for _, bc := range queries[:shape.queries] {
				b.Run(bc.name, func(b *testing.B) { benchAggregate(b, s, bc.q) })
			}
		})
	}
}

func benchAggregate(b *testing.B, s store.Store, q store.AggregateQuery) {
	for b.Loop() {
		aggs, err := s.AggregateMetrics(b.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, a := range aggs {
			n += int(a.Count)
		}
		if n != Aggregate1MPoints {
			b.Fatalf("aggregated %d points, want %d", n, Aggregate1MPoints)
		}
	}
}

// BenchWriteMetrics measures writing metric points, in points/s: batches
// of 1000 consecutive points of one metric; batches of 100 consecutive
// points of ten metrics, ten each, as a sink receiving from many services
// writes; and batches of 100 points at random times of a day.
func BenchWriteMetrics(b *testing.B, newStore func(testing.TB) store.Store) {
	inOrder := func(i int) int { return i }
	for _, shape := range []struct {
		name         string
		batch, names int
		order        func(int) int
	}{
		{"1000PointsInOrder", 1000, 1, inOrder},
		{"100PointsOf10MetricsInOrder", 100, 10, inOrder},
		{"100PointsShuffled", 100, 1, shuffle},
	} {
		b.Run(shape.name, func(b *testing.B) {
			s := newStore(b)
			n := 0
			for b.Loop() {
				batch := &store.Batch{Metrics: dayPoints(n, shape.batch, shape.order)}
				for i := range batch.Metrics {
					if shape.names > 1 {
						batch.Metrics[i].Name = fmt.Sprintf("bench.day.%d", i%shape.names)
					}
				}
				fill(b, s, batch)
				n += shape.batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// shuffle maps point numbers one to one onto [0, Aggregate1MPoints), far
// apart in time: a multiplier coprime with the count.
func shuffle(i int) int { return i * 7919 % Aggregate1MPoints }

// dayPoints makes points first..first+n-1 of "bench.day"; point i is at
// position order(i) of the day, 86.4 ms apart (whole microseconds, which
// PostgreSQL keeps), with log-normal latencies rounded to 0.01 so that
// values repeat, as measured latencies do.
func dayPoints(first, n int, order func(int) int) []store.Metric {
	rng := rand.New(rand.NewPCG(uint64(first), 7))
	attrs := store.Attributes{"host": "node-1"}
	out := make([]store.Metric, 0, n)
	for i := first; i < first+n; i++ {
		v := math.Round(math.Exp(rng.NormFloat64()+3)*100) / 100
		out = append(out, store.Metric{MetricID: fmt.Sprintf("%032x", 0xda00000000+i), Name: "bench.day",
			Value: v, Unit: "ms", AggregationType: store.AggregationGauge,
			Timestamp:  base.Add(time.Duration(order(i)%Aggregate1MPoints) * 86400 * time.Microsecond),
			Attributes: attrs})
	}
	return out
}
