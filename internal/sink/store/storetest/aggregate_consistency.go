//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// AggregateConsistency checks that aggregations stay exact through what
// changes the stored points: retried and overlapping writes, pruning with
// a cutoff inside a minute, and points written out of time order. Stores
// that keep points pre-arranged for aggregation (the SQL stores' value
// runs) run it besides Run; it asks nothing beyond the Store contract.
func AggregateConsistency(t *testing.T, newStore NewStore) {
	for _, st := range []subtest{
		{"RetriedAndOverlappingWritesCountEachPointOnce", testAggregateRetried},
		{"PruneKeepsAggregatesInStepWithThePointsLeft", testAggregatePrune},
		{"AggregatesWithAndWithoutAnAttributeFilterAgree", testAggregatePaths},
	} {
		t.Run(st.name, func(t *testing.T) { st.run(t, newStore(t)) })
	}
}

// spread makes n "latency" points numbered from first, every stepMs
// milliseconds from startMs, with values that repeat, all with route "/a".
func spread(first, n, startMs, stepMs int) ([]point, []store.Metric) {
	pts := make([]point, 0, n)
	ms := make([]store.Metric, 0, n)
	for i := range n {
		p := point{ms: startMs + i*stepMs, value: float64((first+i)*37%23) - 7.5, route: "/a"}
		pts = append(pts, p)
		ms = append(ms, metric(first+i, "latency", p.value, p.ms, store.Attributes{"route": p.route}))
	}
	return pts, ms
}

func checkAggregates(t *testing.T, s store.Store, pts []point, steps ...time.Duration) {
	t.Helper()
	sorted := slices.Clone(pts)
	slices.SortStableFunc(sorted, func(a, b point) int { return a.ms - b.ms })
	for _, step := range steps {
		got := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), store.AggregateQuery{Name: "latency", Step: step}))
		var want []store.Aggregate
		if len(sorted) > 0 {
			want = reference(sorted, step)
		}
		check(t, fmt.Sprintf("buckets of %v", step), want, got)
	}
}

func testAggregateRetried(t *testing.T, s store.Store) {
	pts, batch := spread(1, 300, 0, 700) // three and a half minutes
	write(t, s, &store.Batch{Metrics: batch})
	write(t, s, &store.Batch{Metrics: batch})
	more, extra := spread(301, 100, 50, 1900)
	write(t, s, &store.Batch{Metrics: append(slices.Clone(batch[100:200]), extra...)})
	checkAggregates(t, s, append(pts, more...), 0, time.Minute, 7*time.Second)
}

func testAggregatePrune(t *testing.T, s store.Store) {
	// Four writes of interleaved points, so that each minute holds several
	// writes' points.
	pts, batch := spread(1, 960, 0, 250)
	for w := range 4 {
		var b store.Batch
		for i := w; i < len(batch); i += 4 {
			b.Metrics = append(b.Metrics, batch[i])
		}
		write(t, s, &b)
	}
	for _, cutMs := range []int{90_500, 90_500, 120_000, 150_250, 240_000} {
		if _, err := s.Prune(ctx(t), at(cutMs)); err != nil {
			t.Fatal(err)
		}
		pts = slices.DeleteFunc(pts, func(p point) bool { return p.ms < cutMs })
		checkAggregates(t, s, pts, 0, 30*time.Second, time.Minute)
	}
}

func testAggregatePaths(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]point, 0, 20*200)
	for w := range 20 {
		var b store.Batch
		for range 1 + rng.IntN(200) {
			n := len(pts) + 1
			p := point{ms: rng.IntN(600_000), value: float64(rng.IntN(64)-32) / 8, route: "/a"}
			pts = append(pts, p)
			b.Metrics = append(b.Metrics, metric(n, "latency", p.value, p.ms, store.Attributes{"route": "/a"}))
		}
		if w%5 == 0 {
			b.Metrics = append(b.Metrics, metric(10_000+w, "other", 1, rng.IntN(600_000), nil))
		}
		write(t, s, &b)
	}
	for _, q := range []store.AggregateQuery{
		{Step: 0}, {Step: 7 * time.Second}, {Step: time.Minute}, {Step: 5 * time.Minute}, {Step: 90 * time.Second},
		{Step: time.Minute, Time: store.TimeRange{From: at(61_234), To: at(299_999)}},
		{Step: 0, Time: store.TimeRange{From: at(120_000)}},
		{Step: 13 * time.Second, Time: store.TimeRange{To: at(180_001)}},
		{Step: 0, Time: store.TimeRange{From: at(700_000)}},
	} {
		q.Name = "latency"
		t.Run(fmt.Sprintf("step %v, from %v, to %v", q.Step, q.Time.From, q.Time.To), func(t *testing.T) {
			plain := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), q))
			q.Attributes = store.AttributeFilter{"route": "/a"}
			filtered := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), q))
			check(t, "aggregates (-filtered +plain)", filtered, plain)
			var kept []point
			for _, p := range pts {
				if q.Time.Contains(at(p.ms)) {
					kept = append(kept, p)
				}
			}
			slices.SortStableFunc(kept, func(a, b point) int { return a.ms - b.ms })
			var want []store.Aggregate
			if len(kept) > 0 {
				want = reference(kept, q.Step)
			}
			check(t, "aggregates (-reference +plain)", want, plain)
		})
	}
}
