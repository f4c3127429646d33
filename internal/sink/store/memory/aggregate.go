package memory

import (
	"context"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// AggregateMetrics collects the matching values per bucket, then computes
// each bucket's statistics from its sorted values.
func (s *Store) AggregateMetrics(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	buckets := map[int64][]float64{}
	var first time.Time
	for _, en := range s.metrics {
		m := &en.metric
		if m.Name != q.Name || math.IsNaN(m.Value) || !q.Time.Contains(m.Timestamp) || !q.Attributes.Matches(m.Attributes, m.Resource) {
			continue
		}
		if first.IsZero() || m.Timestamp.Before(first) {
			first = m.Timestamp
		}
		k := store.BucketStart(m.Timestamp.UnixNano(), q.Step)
		buckets[k] = append(buckets[k], m.Value)
	}
	s.mu.RUnlock()
	out := []store.Aggregate{}
	for _, k := range slices.Sorted(maps.Keys(buckets)) {
		start := time.Unix(0, k).UTC()
		if q.Step <= 0 {
			start = first
		}
		out = append(out, store.Summarize(start, buckets[k]))
	}
	return out, nil
}
