package memory_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// Aggregations take each bucket as a slice of the gathered values while
// buckets come in order, and regroup the values when they do not (by
// counting, or by sorting when buckets are far apart). The same points
// written in time order and shuffled must aggregate alike, and like a
// plain grouping of the points.
func TestAggregationsDoNotDependOnWriteOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	base := time.Unix(1_700_000_000, 0).UTC()
	points := make([]store.Metric, 3000)
	for i := range points {
		v := rng.NormFloat64()*10 + 50
		if i%97 == 0 {
			v = math.NaN()
		}
		points[i] = store.Metric{MetricID: fmt.Sprintf("%032x", i+1), Name: "lat", AggregationType: "gauge", Value: v,
			Timestamp:  base.Add(time.Duration(i)*7*time.Second + time.Duration(rng.IntN(1000))*time.Microsecond),
			Attributes: store.Attributes{"host": fmt.Sprintf("n%d", i%3)}}
	}
	shuffled := append([]store.Metric(nil), points...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	write := func(ps []store.Metric) *memory.Store {
		s := memory.New(config.Memory{MaxMetricPoints: len(ps)})
		for i := 0; i < len(ps); i += 100 {
			if err := s.Write(t.Context(), &store.Batch{Metrics: ps[i : i+100]}); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	inOrder, outOfOrder := write(points), write(shuffled)
	for _, q := range []store.AggregateQuery{
		{Name: "lat"},
		{Name: "lat", Step: time.Minute},
		{Name: "lat", Step: 5 * time.Minute, Attributes: store.AttributeFilter{"host": "n1"}},
		{Name: "lat", Step: time.Microsecond}, // buckets far apart: regrouped by sorting
		{Name: "lat", Step: time.Minute, Time: store.TimeRange{From: base.Add(time.Hour), To: base.Add(2 * time.Hour)}},
	} {
		want := plainAggregate(points, q)
		for name, s := range map[string]*memory.Store{"in order": inOrder, "shuffled": outOfOrder} {
			got, err := s.AggregateMetrics(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 1e-9)); d != "" {
				t.Errorf("%s, step %v, %v: (-plain grouping +store):\n%s", name, q.Step, q.Attributes, d)
			}
		}
	}
}

// plainAggregate groups the matching points by bucket in a map.
func plainAggregate(points []store.Metric, q store.AggregateQuery) []store.Aggregate {
	groups := map[int64][]float64{}
	var keys []int64
	var first time.Time
	for _, p := range points {
		if math.IsNaN(p.Value) || !q.Time.Contains(p.Timestamp) || !q.Attributes.Matches(p.Attributes, nil) {
			continue
		}
		if first.IsZero() || p.Timestamp.Before(first) {
			first = p.Timestamp
		}
		k := store.BucketStart(p.Timestamp.UnixNano(), q.Step)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p.Value)
	}
	slices.Sort(keys)
	out := make([]store.Aggregate, 0, len(keys))
	for _, k := range keys {
		start := time.Unix(0, k).UTC()
		if q.Step <= 0 {
			start = first.UTC()
		}
		out = append(out, store.Summarize(start, groups[k]))
	}
	return out
}
