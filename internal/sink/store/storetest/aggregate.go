//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var aggregateTests = []subtest{
	{"AggregateMetricsMatchesAReferenceCalculation", testAggregate},
	{"AggregateMetricsRefusesABadQuery", testAggregateInvalid},
}

type point struct {
	ms    int
	value float64
	route string
}

// aggregateFixture writes 60 "latency" points over 59 s starting 3 s after
// a 10 s boundary, with uneven values, and a few points of another metric.
func aggregateFixture(t *testing.T, s store.Store) []point {
	pts := make([]point, 0, 60)
	var b store.Batch
	for i := range 60 {
		p := point{ms: 3000 + i*1000, value: float64((i*7919)%101) / 3, route: []string{"/a", "/b"}[i%2]}
		pts = append(pts, p)
		b.Metrics = append(b.Metrics, metric(i+1, "latency", p.value, p.ms, store.Attributes{"route": p.route}))
	}
	for i := range 5 {
		b.Metrics = append(b.Metrics, metric(100+i, "other", 1e6, 3000+i*1000, nil))
	}
	// A NaN point is left out of every bucket.
	b.Metrics = append(b.Metrics, metric(200, "latency", math.NaN(), 3500, store.Attributes{"route": "/b"}))
	write(t, s, &b)
	return pts
}

func testAggregate(t *testing.T, s store.Store) {
	pts := aggregateFixture(t, s)
	for _, tc := range []struct {
		name string
		q    store.AggregateQuery
		keep func(point) bool
	}{
		{"whole range", store.AggregateQuery{Name: "latency"}, func(point) bool { return true }},
		{"ten second steps", store.AggregateQuery{Name: "latency", Step: 10 * time.Second}, func(point) bool { return true }},
		{"seven second steps in a time range", store.AggregateQuery{Name: "latency", Step: 7 * time.Second,
			Time: store.TimeRange{From: at(10_000), To: at(41_000)}},
			func(p point) bool { return p.ms >= 10_000 && p.ms < 41_000 }},
		{"attribute filter", store.AggregateQuery{Name: "latency", Step: 20 * time.Second,
			Attributes: store.AttributeFilter{"route": "/b"}}, func(p point) bool { return p.route == "/b" }},
		{"one point", store.AggregateQuery{Name: "latency", Time: store.TimeRange{From: at(3000), To: at(3001)}},
			func(p point) bool { return p.ms == 3000 }},
		{"nothing matches", store.AggregateQuery{Name: "latency", Attributes: store.AttributeFilter{"route": "/c"}},
			func(point) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var kept []point
			for _, p := range pts {
				if tc.keep(p) {
					kept = append(kept, p)
				}
			}
			got := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), tc.q))
			check(t, "buckets", reference(kept, tc.q.Step), got)
		})
	}
}

// reference aggregates points the slow, obvious way: group by bucket, sort,
// then interpolate ranks as percentile_cont defines.
func reference(pts []point, step time.Duration) []store.Aggregate {
	groups := map[time.Time][]float64{}
	for _, p := range pts {
		start := at(pts[0].ms)
		if step > 0 {
			ns := at(p.ms).UnixNano() // positive, so integer division rounds down
			start = time.Unix(0, ns/int64(step)*int64(step))
		}
		groups[start] = append(groups[start], p.value)
	}
	out := make([]store.Aggregate, 0, len(groups))
	for start, vs := range groups {
		sort.Float64s(vs)
		a := store.Aggregate{Start: start, Count: int64(len(vs)), Min: vs[0], Max: vs[len(vs)-1]}
		for _, v := range vs {
			a.Sum += v
		}
		a.Avg = a.Sum / float64(len(vs))
		a.P50, a.P95, a.P99 = rank(vs, 0.5), rank(vs, 0.95), rank(vs, 0.99)
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func rank(sorted []float64, p float64) float64 {
	r := p * float64(len(sorted)-1)
	below := int(math.Floor(r))
	if below == len(sorted)-1 {
		return sorted[below]
	}
	frac := r - float64(below)
	return sorted[below]*(1-frac) + sorted[below+1]*frac
}

func testAggregateInvalid(t *testing.T, s store.Store) {
	_, err := s.AggregateMetrics(ctx(t), store.AggregateQuery{})
	wantErr(t, "no name", err, store.ErrInvalid)
	_, err = s.AggregateMetrics(ctx(t), store.AggregateQuery{Name: "m", Step: -time.Second})
	wantErr(t, "negative step", err, store.ErrInvalid)
	_, err = s.AggregateMetrics(ctx(t), store.AggregateQuery{Name: "m", Step: 1500 * time.Nanosecond})
	wantErr(t, "step finer than a microsecond", err, store.ErrInvalid)
}
