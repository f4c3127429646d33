package store

import (
	"fmt"
	"math"
	"math/bits"
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
// not be empty; it reorders them in place. Stores that cannot compute
// percentiles in their query language use it. The percentiles are found by
// selection, not by sorting every value: sorting took a third of the
// memory store's aggregation over 1M points.
func Summarize(start time.Time, values []float64) Aggregate {
	a := Aggregate{Start: start, Count: int64(len(values)), Min: values[0], Max: values[0]}
	for _, v := range values {
		a.Sum += v
		a.Min, a.Max = min(a.Min, v), max(a.Max, v)
	}
	a.Avg = a.Sum / float64(len(values))
	done := 0 // values[:done] are in place and at most values[done:]
	a.P50 = percentileCont(values, &done, 0.5)
	a.P95 = percentileCont(values, &done, 0.95)
	a.P99 = percentileCont(values, &done, 0.99)
	return a
}

// percentileCont interpolates linearly between the closest ranks of the
// values, like PostgreSQL's percentile_cont. Each call must ask for a p no
// lower than the one before, and puts the ranks it reads in place.
func percentileCont(values []float64, done *int, p float64) float64 {
	pos := p * float64(len(values)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	if lo >= *done {
		selectRank(values[*done:], lo-*done)
		*done = lo + 1
	}
	a, b := values[lo], values[lo]
	if hi > lo {
		if hi >= *done {
			selectRank(values[*done:], hi-*done)
			*done = hi + 1
		}
		b = values[hi]
	}
	return a + (b-a)*(pos-float64(lo))
}

// selectRank reorders v so that v[k] is the value a sort would put there,
// with no larger value before it and no smaller one after. Quickselect
// with a median-of-three pivot; after more rounds than a sort's depth it
// sorts what is left, so input built to defeat the pivot costs a sort.
func selectRank(v []float64, k int) {
	lo, hi := 0, len(v)-1
	for rounds := 2 * bits.Len(uint(len(v))); hi-lo > 16; rounds-- {
		if rounds == 0 {
			slices.Sort(v[lo : hi+1])
			return
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		// v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] equal the pivot.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
	slices.Sort(v[lo : hi+1])
}
