package store

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Validate refuses what the AggregateQuery doc calls invalid.
func (q AggregateQuery) Validate() error {
	if q.Name == "" || q.Step < 0 || q.Step%time.Microsecond != 0 {
		return fmt.Errorf("%w: aggregation needs a metric name and a step of zero or more whole microseconds", ErrInvalid)
	}
	return nil
}

// BucketStart is floor(ns/step)*step in Unix nanoseconds, also before the
// epoch; a zero step puts every point in bucket 0.
func BucketStart(ns int64, step time.Duration) int64 {
	if step <= 0 {
		return 0
	}
	st := int64(step)
	r := ns % st
	if r < 0 {
		r += st
	}
	return ns - r
}

// Summarize computes one bucket's statistics from its values, which must
// not be empty; it sorts them in place. Stores that cannot compute
// percentiles in their query language use it.
func Summarize(start time.Time, values []float64) Aggregate {
	slices.Sort(values)
	a := Aggregate{Start: start, Count: int64(len(values)),
		Min: values[0], Max: values[len(values)-1]}
	for _, v := range values {
		a.Sum += v
	}
	a.Avg = a.Sum / float64(len(values))
	a.P50 = percentileCont(values, 0.5)
	a.P95 = percentileCont(values, 0.95)
	a.P99 = percentileCont(values, 0.99)
	return a
}

// percentileCont interpolates linearly between the closest ranks of sorted
// values, like PostgreSQL's percentile_cont.
func percentileCont(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := math.Floor(pos)
	a, b := sorted[int(lo)], sorted[int(math.Ceil(pos))]
	return a + (b-a)*(pos-lo)
}
