package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Summarize finds percentiles by selection; they must be those of the
// sorted values, whatever the order, duplicates and sizes.
func TestSummarizeMatchesSortedPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	shapes := map[string]func(i int) float64{
		"random":     func(int) float64 { return rng.NormFloat64() * 100 },
		"few values": func(int) float64 { return float64(rng.IntN(3)) },
		"ascending":  func(i int) float64 { return float64(i) },
		"descending": func(i int) float64 { return -float64(i) },
		"equal":      func(int) float64 { return 7 },
		"organ pipe": func(i int) float64 { return float64(min(i, 5000-i)) },
	}
	for name, gen := range shapes {
		for _, n := range []int{1, 2, 3, 17, 18, 100, 101, 1000, 5000} {
			values := make([]float64, n)
			for i := range values {
				values[i] = gen(i)
			}
			sorted := slices.Sorted(slices.Values(values))
			at := func(p float64) float64 {
				pos := p * float64(n-1)
				lo := math.Floor(pos)
				a, b := sorted[int(lo)], sorted[int(math.Ceil(pos))]
				return a + (b-a)*(pos-lo)
			}
			got := Summarize(time.Time{}, values)
			if got.P50 != at(0.5) || got.P95 != at(0.95) || got.P99 != at(0.99) ||
				got.Min != sorted[0] || got.Max != sorted[n-1] || got.Count != int64(n) {
				t.Errorf("%s, %d values: got p50 %v p95 %v p99 %v min %v max %v; want %v %v %v %v %v",
					name, n, got.P50, got.P95, got.P99, got.Min, got.Max, at(0.5), at(0.95), at(0.99), sorted[0], sorted[n-1])
			}
		}
	}
}
