package valueruns

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

func timeRange(fromNS, toNS int64) store.TimeRange {
	var r store.TimeRange
	if fromNS != 0 {
		r.From = time.Unix(0, fromNS)
	}
	if toNS != 0 {
		r.To = time.Unix(0, toNS)
	}
	return r
}

// reference aggregates the obvious way: keep the points in range, group
// them by bucket, and hand each group to store.Summarize.
func reference(pts []Point, step time.Duration, from, to int64) []store.Aggregate {
	groups := map[int64][]float64{}
	first := int64(math.MaxInt64)
	for _, p := range pts {
		if p.TS < from || p.TS >= to || math.IsNaN(p.Value) {
			continue
		}
		first = min(first, p.TS)
		b := store.BucketStart(p.TS, step)
		groups[b] = append(groups[b], p.Value)
	}
	out := make([]store.Aggregate, 0, len(groups))
	for _, b := range slices.Sorted(func(yield func(int64) bool) {
		for b := range groups {
			if !yield(b) {
				return
			}
		}
	}) {
		start := b
		if step <= 0 {
			start = first
		}
		out = append(out, store.Summarize(time.Unix(0, start).UTC(), groups[b]))
	}
	return out
}

// aggregate stores pts as the SQL stores do, in writes of random sizes,
// each making a run per minute, sometimes kept in chunks as SQLite keeps
// them, then aggregates the runs that overlap.
func aggregate(t *testing.T, rng *rand.Rand, pts []Point, step time.Duration, from, to int64) []store.Aggregate {
	t.Helper()
	var runs []Run
	for rest := pts; len(rest) > 0; {
		n := 1 + rng.IntN(len(rest))
		var b Builder
		for _, p := range rest[:n] {
			b.Add("m", p.Value, p.TS)
		}
		for _, r := range b.Runs() {
			runs = append(runs, r.Chunks(PairSize*(1+rng.IntN(2*r.Count)))...)
		}
		rest = rest[n:]
	}
	a := NewAggregator(step, from, to)
	lo, hi := Overlap(from, to)
	for _, r := range runs {
		if r.Start >= lo && r.Start < hi {
			if err := a.Add(r.Points); err != nil {
				t.Fatal(err)
			}
		}
	}
	return a.Result()
}

// randomPoints draws n points over a few minutes around the epoch (both
// signs of time), with values from a small set so that they repeat,
// negatives, zeros of both signs, infinities and NaN among them.
func randomPoints(rng *rand.Rand, n int) []Point {
	pool := []float64{-3, -1.25, math.Copysign(0, -1), 0, 0.5, 2, 7, 1e9, math.Inf(1), math.Inf(-1), math.NaN()}
	pts := make([]Point, n)
	for i := range pts {
		v := float64(rng.IntN(200)-100) / 8
		switch r := rng.IntN(20); {
		case r == 0:
			v = pool[rng.IntN(len(pool))]
		case r < 8:
			v = pool[rng.IntN(4)+2]
		}
		pts[i] = Point{Value: v, TS: rng.Int64N(8*Minute) - 3*Minute}
	}
	return pts
}

// agreeWith compares aggregates of pts: counts, minima, maxima and
// percentiles exactly (-0 equals +0), sums and averages to within the
// rounding error of adding the values in another order.
func agreeWith(pts []Point) cmp.Option {
	scale := 1.0
	for _, p := range pts {
		if !math.IsInf(p.Value, 0) && !math.IsNaN(p.Value) {
			scale += math.Abs(p.Value)
		}
	}
	within := func(tol float64) func(x, y float64) bool {
		return func(x, y float64) bool {
			return x == y || math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) <= tol
		}
	}
	isSum := func(p cmp.Path) bool {
		name := p.Last().String()
		return name == ".Sum" || name == ".Avg"
	}
	return cmp.Options{
		cmp.FilterPath(isSum, cmp.Comparer(within(1e-12*scale))),
		cmp.FilterPath(func(p cmp.Path) bool { return !isSum(p) }, cmp.Comparer(within(0))),
	}
}

func TestAggregatorMatchesSummarizeOnRandomData(t *testing.T) {
	steps := []time.Duration{0, time.Nanosecond * 1000, 7 * time.Second, time.Minute, 90 * time.Second, 5 * time.Minute}
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 1))
		n := []int{1, 2, 3, 10, 100, 3000, 20000}[seed%7]
		pts := randomPoints(rng, n)
		step := steps[rng.IntN(len(steps))]
		from, to := int64(math.MinInt64), int64(math.MaxInt64)
		if rng.IntN(2) == 0 {
			from = rng.Int64N(6*Minute) - 4*Minute
			to = from + rng.Int64N(5*Minute) + 1
		}
		t.Run(fmt.Sprintf("seed %d: %d points, step %v", seed, n, step), func(t *testing.T) {
			want := reference(slices.Clone(pts), step, from, to)
			got := aggregate(t, rng, pts, step, from, to)
			if d := cmp.Diff(want, got, agreeWith(pts)); d != "" {
				t.Errorf("aggregates (-Summarize +runs):\n%s", d)
			}
		})
	}
}

func TestAggregatorEdges(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pts      []Point
		step     time.Duration
		from, to int64
	}{
		{"one point, step zero", []Point{{4, 17}}, 0, math.MinInt64, math.MaxInt64},
		{"one point out of range", []Point{{4, 17}}, time.Minute, 18, math.MaxInt64},
		{"only NaN", []Point{{math.NaN(), 1}}, 0, math.MinInt64, math.MaxInt64},
		{"range ends at a point", []Point{{1, 10}, {2, 20}, {3, 30}}, 0, 10, 30},
		{"before the epoch", []Point{{1, -Minute - 1}, {2, -1}, {3, 0}}, time.Minute, math.MinInt64, math.MaxInt64},
		{"all equal values", []Point{{2, 1}, {2, 2}, {2, Minute}, {2, 2 * Minute}}, 0, math.MinInt64, math.MaxInt64},
		{"infinities", []Point{{math.Inf(1), 1}, {math.Inf(-1), 2}, {1, 3}}, 0, math.MinInt64, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			want := reference(slices.Clone(tc.pts), tc.step, tc.from, tc.to)
			got := aggregate(t, rng, tc.pts, tc.step, tc.from, tc.to)
			if d := cmp.Diff(want, got, agreeWith(tc.pts)); d != "" {
				t.Errorf("aggregates (-Summarize +runs):\n%s", d)
			}
		})
	}
}
