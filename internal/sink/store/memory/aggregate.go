package memory

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// AggregateMetrics reads the points of the name's series in write order
// (see gather), then computes each bucket's statistics. Over 1M points in
// 5-minute steps (BenchmarkAggregate1M/InOrder/Step5m) this took 440 ms
// ranging over the map of every point and sorting each bucket; reading the
// series and selecting percentiles, about 40 ms.
func (s *Store) AggregateMetrics(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.Time.From.IsZero() {
		from = q.Time.From.UnixNano()
	}
	if !q.Time.To.IsZero() {
		to = q.Time.To.UnixNano()
	}
	var g gather
	if ser := s.series[q.Name]; ser != nil {
		g.values = make([]float64, 0, ser.len())
		for i := ser.head; i < len(ser.entries); i++ {
			at, v := ser.at[i], ser.values[i]
			if at < from || at >= to || math.IsNaN(v) {
				continue
			}
			if len(q.Attributes) > 0 {
				if m := &ser.entries[i].metric; !q.Attributes.Matches(m.Attributes, m.Resource) {
					continue
				}
			}
			g.add(store.BucketStart(at, q.Step), at, v)
		}
	}
	s.mu.RUnlock()
	values, runs := g.values, g.runs
	if g.keys != nil {
		runs = regroup(values, g.keys, q.Step)
	}
	out := make([]store.Aggregate, 0, len(runs))
	for i, r := range runs {
		start := time.Unix(0, r.key).UTC()
		if q.Step <= 0 {
			start = time.Unix(0, g.first).UTC()
		}
		out = append(out, store.Summarize(start, values[r.start:runEnd(runs, i, len(values))]))
	}
	return out, nil
}

// gather collects the matching values in one array, in series order.
// While their buckets come in order (points arrive in time order), each
// bucket is a slice of it, marked by runs; once a bucket comes out of
// order, every value carries its bucket in keys instead, for regroup.
type gather struct {
	values []float64
	runs   []run
	keys   []int64
	first  int64 // the earliest point's time; 0 before the first
}

// run is where a bucket's values start in the gathered array.
type run struct {
	key   int64
	start int
}

func (g *gather) add(key, at int64, v float64) {
	if len(g.values) == 0 || at < g.first {
		g.first = at
	}
	switch n := len(g.runs); {
	case g.keys != nil:
		g.keys = append(g.keys, key)
	case n > 0 && g.runs[n-1].key > key:
		g.keys = make([]int64, len(g.values), cap(g.values))
		for i, r := range g.runs {
			end := runEnd(g.runs, i, len(g.values))
			for j := r.start; j < end; j++ {
				g.keys[j] = r.key
			}
		}
		g.keys, g.runs = append(g.keys, key), nil
	case n == 0 || g.runs[n-1].key != key:
		g.runs = append(g.runs, run{key: key, start: len(g.values)})
	}
	g.values = append(g.values, v)
}

// regroup reorders values so that each bucket's are together, in bucket
// order, and returns their runs: a counting sort over the buckets between
// the first and the last, which are step apart (step > 0: a zero step puts
// every point in one bucket, never out of order).
func regroup(values []float64, keys []int64, step time.Duration) []run {
	lo, hi := slices.Min(keys), slices.Max(keys)
	span := uint64(hi-lo) / uint64(step)
	if span >= uint64(len(values))*4+1024 {
		return regroupSparse(values, keys)
	}
	next := make([]int, span+1) // counts, then where each bucket's next value goes
	for _, k := range keys {
		next[uint64(k-lo)/uint64(step)]++
	}
	runs := []run{}
	at := 0
	for b, n := range next {
		if n > 0 {
			runs = append(runs, run{key: lo + int64(b)*int64(step), start: at})
		}
		next[b], at = at, at+n
	}
	out := make([]float64, len(values))
	for i, k := range keys {
		b := uint64(k-lo) / uint64(step)
		out[next[b]] = values[i]
		next[b]++
	}
	copy(values, out)
	return runs
}

// regroupSparse is regroup by sorting, for buckets so far apart that
// counting over the range between them would cost more.
func regroupSparse(values []float64, keys []int64) []run {
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	out := make([]float64, len(values))
	runs := []run{}
	for i, j := range order {
		if n := len(runs); n == 0 || runs[n-1].key != keys[j] {
			runs = append(runs, run{key: keys[j], start: i})
		}
		out[i] = values[j]
	}
	copy(values, out)
	return runs
}

func runEnd(runs []run, i, total int) int {
	if i+1 < len(runs) {
		return runs[i+1].start
	}
	return total
}
