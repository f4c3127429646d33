//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// EnvBenchLarge names the variable that, set to 1, adds benchmarks on a
// million spans and a million metric points; filling them takes minutes,
// so they are off by default.
const EnvBenchLarge = "TELEMETRY_BENCH_LARGE"

// Bench runs the store benchmarks: writing batches of 100 spans with 10
// attributes each (reported in spans/s), GetTrace, listing 10 traces, and a
// stepped aggregation, each on a store holding 10,000 spans and points.
// newStore must give a store that can hold a million of each when
// EnvBenchLarge is set.
func Bench(b *testing.B, newStore func(testing.TB) store.Store) {
	b.Run("Write100SpansX10Attributes", func(b *testing.B) {
		s := newStore(b)
		n := 0
		for b.Loop() {
			fill(b, s, &store.Batch{Spans: benchSpans(n*10, 10, 10)})
			n++
		}
		b.ReportMetric(float64(n*100)/b.Elapsed().Seconds(), "spans/s")
	})
	benchReads(b, "", newStore, 1_000, 10_000)
	if os.Getenv(EnvBenchLarge) == "1" {
		benchReads(b, "Large", newStore, 100_000, 1_000_000)
	}
}

// benchReads fills one store with traces×10 spans and points metric points,
// then measures the queries on it.
func benchReads(b *testing.B, prefix string, newStore func(testing.TB) store.Store, traces, points int) {
	b.Run(prefix+"Reads", func(b *testing.B) {
		s := newStore(b)
		for i := 0; i < traces; i += 100 {
			fill(b, s, &store.Batch{Spans: benchSpans(i, 100, 10)})
		}
		for i := 0; i < points; i += 1000 {
			fill(b, s, &store.Batch{Metrics: benchPoints(i, 1000)})
		}
		b.Run("GetTrace", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := s.GetTrace(b.Context(), benchTraceID((i*7919)%traces)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("QueryTraces10", func(b *testing.B) {
			for b.Loop() {
				if ts, err := s.QueryTraces(b.Context(), store.TraceQuery{Limit: 10}); err != nil || len(ts) != 10 {
					b.Fatalf("%d traces, %v", len(ts), err)
				}
			}
		})
		b.Run("AggregatePerMinute", func(b *testing.B) {
			q := store.AggregateQuery{Name: "latency", Step: time.Minute}
			for b.Loop() {
				if _, err := s.AggregateMetrics(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func fill(b *testing.B, s store.Store, batch *store.Batch) {
	if err := s.Write(b.Context(), batch); err != nil {
		b.Fatal(err)
	}
}

func benchTraceID(n int) string { return fmt.Sprintf("%032x", 0xbe00000000+n) }

// benchSpans makes traces×perTrace spans with ten attributes of mixed
// types each, the shape of an instrumented HTTP service's spans. The spans
// share their attribute maps, so that the benchmark measures the store
// rather than building maps.
func benchSpans(first, traces, perTrace int) []store.Span {
	res := store.Attributes{"service.name": "checkout", "host.name": "node-1", "k8s.namespace.name": "shop"}
	attrs := store.Attributes{
		"http.method": "GET", "http.route": "/api/items/{id}", "http.status_code": int64(200),
		"net.peer.port": int64(443), "user.id": fmt.Sprintf("u-%d", first%1000), "retry": false,
		"ratio": 0.25, "db.system": "postgresql", "size": int64(1234), "component": "http"}
	out := make([]store.Span, 0, traces*perTrace)
	for t := first; t < first+traces; t++ {
		start := base.Add(time.Duration(t) * time.Second)
		for i := range perTrace {
			sp := store.Span{TraceID: benchTraceID(t), SpanID: fmt.Sprintf("%016x", t*perTrace+i+1),
				Name: "GET /api/items/{id}", Kind: "server", StartTime: start.Add(time.Duration(i) * time.Millisecond),
				EndTime: start.Add(time.Duration(i+5) * time.Millisecond), Duration: 0.005, Status: store.SpanStatusOK,
				Resource: res, Attributes: attrs}
			if i > 0 {
				sp.ParentSpanID = fmt.Sprintf("%016x", t*perTrace+1)
			}
			out = append(out, sp)
		}
	}
	return out
}

// benchPoints makes n "latency" points, one per 100 ms, over two routes.
func benchPoints(first, n int) []store.Metric {
	out := make([]store.Metric, 0, n)
	for i := first; i < first+n; i++ {
		out = append(out, store.Metric{MetricID: fmt.Sprintf("%032x", 0xbf00000000+i), Name: "latency",
			Value: float64(i%997) / 10, Unit: "ms", AggregationType: store.AggregationGauge,
			Timestamp:  base.Add(time.Duration(i) * 100 * time.Millisecond),
			Attributes: store.Attributes{"route": []string{"/a", "/b"}[i%2]}})
	}
	return out
}
