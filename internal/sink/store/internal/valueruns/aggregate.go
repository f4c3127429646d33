package valueruns

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Aggregator folds runs into the buckets of one AggregateQuery without an
// attribute filter. Add the runs that overlap the range (Overlap says
// which), in any order, then call Result.
type Aggregator struct {
	step     time.Duration
	from, to int64 // [from, to) in Unix nanoseconds
	buckets  map[int64]*bucket
	first    int64 // earliest point kept, the start of the Step-zero bucket
	arena    []float64
	last     int64 // the bucket of the last run added whole, or noBucket
	split    []part
}

// bucket holds one bucket's values as sorted runs.
type bucket struct {
	runs [][]float64
	n    int
}

// part is the share of one run that falls into one bucket while the run is
// split.
type part struct {
	start  int64
	values []float64
}

// NewAggregator starts an aggregation with the query's step over the
// range [from, to) of Unix nanoseconds; Bounds gives them for a TimeRange.
func NewAggregator(step time.Duration, from, to int64) *Aggregator {
	return &Aggregator{step: step, from: from, to: to, buckets: map[int64]*bucket{},
		first: math.MaxInt64, last: noBucket}
}

// Bounds is r as Unix nanoseconds, From inclusive and To exclusive, each
// truncated to a multiple of precision (PostgreSQL compares microseconds);
// an open bound is the extreme int64.
func Bounds(r store.TimeRange, precision time.Duration) (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	if !r.From.IsZero() {
		from = r.From.Truncate(precision).UnixNano()
	}
	if !r.To.IsZero() {
		to = r.To.Truncate(precision).UnixNano()
	}
	return from, to
}

// Overlap is the range of run minute starts, [lo, hi), that can hold points
// in [from, to). It reaches a minute further back than needed, so that a
// store whose minute boundaries differ by one (PostgreSQL's date_bin before
// the epoch) still finds every run; Add drops what lies outside.
func Overlap(from, to int64) (lo, hi int64) {
	lo, hi = math.MinInt64, to
	if from != math.MinInt64 {
		lo = MinuteStart(from) - Minute
	}
	return lo, hi
}

// Add folds in one encoded run.
func (a *Aggregator) Add(run []byte) error {
	if len(run)%PairSize != 0 {
		return fmt.Errorf("value run of %d bytes is not whole points", len(run))
	}
	n := len(run) / PairSize
	if n == 0 {
		return nil
	}
	lo, hi := timestamp(run, 0), timestamp(run, 0)
	for i := 1; i < n; i++ {
		ts := timestamp(run, i)
		lo, hi = min(lo, ts), max(hi, ts)
	}
	if b := a.bucketOf(lo); lo >= a.from && hi < a.to && b == a.bucketOf(hi) {
		if !a.extend(b, run, n, lo) {
			values := a.alloc(n)
			for i := range values {
				values[i] = value(run, i)
			}
			a.put(b, values, lo)
			a.last = b
		}
		return nil
	}
	a.last = noBucket
	a.splitRun(run, n)
	return nil
}

// noBucket marks that the last run added was split, so none can be
// extended.
const noBucket = math.MinInt64

// extend appends the run to the run added just before it when both fall
// into one bucket and the new one starts at or above where the other ends,
// as the chunks of a run that a store keeps in several rows do: the two
// together are sorted, so the bucket has one run fewer to select across.
// The run added last is the arena's last allocation, so it grows in place.
func (a *Aggregator) extend(b int64, run []byte, n int, first int64) bool {
	bk := a.buckets[b]
	if a.last != b || bk == nil || len(a.arena) < n {
		return false
	}
	prev := bk.runs[len(bk.runs)-1]
	if value(run, 0) < prev[len(prev)-1] {
		return false
	}
	grown := prev[:len(prev)+n]
	for i := range n {
		grown[len(prev)+i] = value(run, i)
	}
	a.arena = a.arena[n:]
	bk.runs[len(bk.runs)-1] = grown
	bk.n += n
	a.first = min(a.first, first)
	return true
}

// splitRun distributes a run that crosses a bucket or range boundary; each
// part keeps the run's value order.
func (a *Aggregator) splitRun(run []byte, n int) {
	parts, first := a.split[:0], int64(math.MaxInt64)
	for i := range n {
		ts := timestamp(run, i)
		if ts < a.from || ts >= a.to {
			continue
		}
		first = min(first, ts)
		b := a.bucketOf(ts)
		j := slices.IndexFunc(parts, func(p part) bool { return p.start == b })
		if j < 0 {
			j = len(parts)
			parts = append(parts, part{start: b})
		}
		parts[j].values = append(parts[j].values, value(run, i))
	}
	for _, p := range parts {
		a.put(p.start, p.values, first)
	}
	a.split = parts[:0]
}

func (a *Aggregator) bucketOf(ts int64) int64 { return store.BucketStart(ts, a.step) }

func (a *Aggregator) put(start int64, values []float64, first int64) {
	b := a.buckets[start]
	if b == nil {
		b = &bucket{}
		a.buckets[start] = b
	}
	b.runs = append(b.runs, values)
	b.n += len(values)
	a.first = min(a.first, first)
}

// alloc carves n values out of a shared arena, so that a million one-point
// runs do not make a million allocations. The slice's capacity reaches to
// the arena's end, for extend.
func (a *Aggregator) alloc(n int) []float64 {
	if n > len(a.arena) {
		a.arena = make([]float64, max(n, 1<<16))
	}
	out := a.arena[:n]
	a.arena = a.arena[n:]
	return out
}

// Result returns the buckets, oldest first, empty ones omitted; with Step
// zero the one bucket starts at the earliest point.
func (a *Aggregator) Result() []store.Aggregate {
	starts := make([]int64, 0, len(a.buckets))
	for s := range a.buckets {
		starts = append(starts, s)
	}
	slices.Sort(starts)
	out := make([]store.Aggregate, 0, len(starts))
	var sel selector
	for _, s := range starts {
		start := s
		if a.step <= 0 {
			start = a.first
		}
		out = append(out, summarize(&sel, time.Unix(0, start).UTC(), a.buckets[s]))
	}
	return out
}

// summarize computes what store.Summarize does, from sorted runs.
func summarize(sel *selector, start time.Time, b *bucket) store.Aggregate {
	agg := store.Aggregate{Start: start, Count: int64(b.n), Min: math.Inf(1), Max: math.Inf(-1)}
	for _, r := range b.runs {
		agg.Min, agg.Max = min(agg.Min, r[0]), max(agg.Max, r[len(r)-1])
		for _, v := range r {
			agg.Sum += v
		}
	}
	agg.Avg = agg.Sum / float64(b.n)
	ps := [...]float64{0.5, 0.95, 0.99}
	var ks [2 * len(ps)]int
	for i, p := range ps {
		pos := p * float64(b.n-1)
		ks[2*i], ks[2*i+1] = int(math.Floor(pos)), int(math.Ceil(pos))
	}
	var vs [len(ks)]float64
	sel.selectRanks(b.runs, b.n, ks[:], vs[:])
	var got [len(ps)]float64
	for i, p := range ps {
		// The interpolation of store.Summarize, operation for operation.
		pos := p * float64(b.n-1)
		lo, hi := vs[2*i], vs[2*i+1]
		got[i] = lo + (hi-lo)*(pos-math.Floor(pos))
	}
	agg.P50, agg.P95, agg.P99 = got[0], got[1], got[2]
	return agg
}
