package loadgen

import "time"

// NearestRank is the nearest-rank percentile pct (1-100) of sorted, an
// ascending slice: the smallest value with at least pct% of the values at
// or below it, so a reported p99 is a latency some request really had (of
// 100 samples, the second slowest). It is 0 for an empty slice.
func NearestRank(sorted []time.Duration, pct int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*pct + 99) / 100 // ceil(n*pct/100), 1-based
	return sorted[min(max(rank, 1), len(sorted))-1]
}
