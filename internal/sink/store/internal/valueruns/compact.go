package valueruns

import (
	"fmt"
	"math"
	"slices"
)

// Sorted reports whether runs, in this order, make one run sorted by value,
// as the chunks of one run do: merging them would change nothing.
func Sorted(runs [][]byte) bool {
	prev := math.Inf(-1)
	for _, r := range runs {
		n := len(r) / PairSize
		if n == 0 {
			continue
		}
		if value(r, 0) < prev {
			return false
		}
		prev = value(r, n-1)
	}
	return true
}

// Merge returns the points of runs as one run, sorted by value.
func Merge(runs [][]byte) (points []byte, count int, err error) {
	n := 0
	for _, r := range runs {
		if len(r)%PairSize != 0 {
			return nil, 0, fmt.Errorf("value run of %d bytes is not whole points", len(r))
		}
		n += len(r) / PairSize
	}
	all := make([]Point, 0, n)
	for _, r := range runs {
		for i := range len(r) / PairSize {
			all = append(all, Point{Value: value(r, i), TS: timestamp(r, i)})
		}
	}
	return Encode(all), n, nil
}

// Compact merges the stored runs of one name and minute, given in the
// order of their row ids, into runs of at most maxBytes of points (see
// Run.Chunks). It returns nil when they already make one sorted run of
// such chunks. The merged runs take the smallest of the ids, in order, so
// that a store reuses its rows' ids; runs beyond the ids given (when a run
// was larger than maxBytes) have ID zero.
func Compact(name string, start int64, ids []int64, runs [][]byte, maxBytes int) ([]Run, error) {
	if Sorted(runs) && !slices.ContainsFunc(runs, func(r []byte) bool { return len(r) > max(maxBytes, PairSize) }) {
		return nil, nil
	}
	points, n, err := Merge(runs)
	if err != nil {
		return nil, err
	}
	out := Run{Name: name, Start: start, Count: n, Points: points}.Chunks(maxBytes)
	ids = slices.Sorted(slices.Values(ids))
	for i := range out {
		if i < len(ids) {
			out[i].ID = ids[i]
		}
	}
	return out, nil
}
