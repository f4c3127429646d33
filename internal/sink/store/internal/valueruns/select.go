package valueruns

import (
	"cmp"
	"math"
	"slices"
)

// Thresholds of the two ways selectRanks finds a rank. Narrowing costs a
// binary search per run per round, gathering a copy and a quickselect per
// value, so short runs, or few values left, are gathered.
const (
	gatherBelow  = 2048 // values left
	gatherPerRun = 48   // average values per run
)

// selector finds ranks in the union of sorted runs; it keeps its scratch
// space between calls.
type selector struct {
	windows [][]float64
	cuts    []cut
	medians []weighted
	buf     []float64
}

type cut struct{ less, lessEq int }

type weighted struct {
	v float64
	n int
}

// selectRanks sets out[i] to the value of rank ks[i] (0-based, ascending
// order) in the union of runs, each sorted ascending, holding n values.
func (s *selector) selectRanks(runs [][]float64, n int, ks []int, out []float64) {
	ranks := slices.Compact(slices.Sorted(slices.Values(ks)))
	values := make([]float64, len(ranks))
	switch {
	case len(runs) == 1:
		for i, k := range ranks {
			values[i] = runs[0][k]
		}
	case n <= gatherBelow || n < gatherPerRun*len(runs):
		s.gather(runs, ranks, values)
	default:
		for i, k := range ranks {
			if i > 0 && k == ranks[i-1]+1 {
				values[i] = next(runs, k-1, values[i-1])
			} else {
				values[i] = s.narrow(runs, k)
			}
		}
	}
	for i, k := range ks {
		out[i] = values[slices.Index(ranks, k)]
	}
}

// gather copies the runs into one buffer and selects the ascending ranks
// in it: each selection leaves the values above its rank after it, so
// the next rank is looked for there only, and the rank right after one
// just found is the least value that follows it.
func (s *selector) gather(runs [][]float64, ranks []int, values []float64) {
	s.buf = s.buf[:0]
	for _, r := range runs {
		s.buf = append(s.buf, r...)
	}
	off := 0 // s.buf[off:] holds the values of rank off and above
	for i, k := range ranks {
		if k == off && off > 0 {
			m := off + minIndex(s.buf[off:])
			s.buf[off], s.buf[m] = s.buf[m], s.buf[off]
			values[i] = s.buf[off]
		} else {
			values[i] = quickselect(s.buf[off:], k-off)
		}
		off = k + 1
	}
}

func minIndex(a []float64) int {
	m := 0
	for i, v := range a {
		if v < a[m] {
			m = i
		}
	}
	return m
}

// next returns rank k+1 of the union of runs, given that rank k is x: x
// again when more than k+1 values are at most x, else the smallest value
// above x.
func next(runs [][]float64, k int, x float64) float64 {
	atMostX, above := 0, math.Inf(1)
	for _, r := range runs {
		i := atMost(r, x)
		atMostX += i
		if i < len(r) {
			above = min(above, r[i])
		}
	}
	if atMostX > k+1 {
		return x
	}
	return above
}

// narrow finds rank k by rounds: the weighted median of the runs' medians
// is a pivot with at least a quarter of the values on either side, and
// counting the values below and equal to it in every run (binary search)
// says on which side rank k lies, so each round drops a quarter or more.
// Comparisons are those of float64, so -0 and +0 are one value.
func (s *selector) narrow(runs [][]float64, k int) float64 {
	w := append(s.windows[:0], runs...)
	defer func() { s.windows = w[:0] }()
	for {
		total := 0
		for _, r := range w {
			total += len(r)
		}
		if len(w) == 1 {
			return w[0][k]
		}
		if total <= gatherBelow || total < gatherPerRun*len(w) {
			s.buf = s.buf[:0]
			for _, r := range w {
				s.buf = append(s.buf, r...)
			}
			return quickselect(s.buf, k)
		}
		p := s.pivot(w, total)
		less, lessEq := s.count(w, p)
		switch {
		case k < less:
			for i, c := range s.cuts {
				w[i] = w[i][:c.less]
			}
		case k < lessEq:
			return p
		default:
			k -= lessEq
			for i, c := range s.cuts {
				w[i] = w[i][c.lessEq:]
			}
		}
		w = slices.DeleteFunc(w, func(r []float64) bool { return len(r) == 0 })
	}
}

// pivot is the median of the runs' medians, each weighted by its run's
// length.
func (s *selector) pivot(w [][]float64, total int) float64 {
	s.medians = s.medians[:0]
	for _, r := range w {
		s.medians = append(s.medians, weighted{r[len(r)/2], len(r)})
	}
	slices.SortFunc(s.medians, func(a, b weighted) int { return cmp.Compare(a.v, b.v) })
	seen := 0
	for _, m := range s.medians {
		if seen += m.n; 2*seen >= total {
			return m.v
		}
	}
	return s.medians[len(s.medians)-1].v
}

// count records, per run, how many values are below p and how many are
// at most p, and returns the sums.
func (s *selector) count(w [][]float64, p float64) (less, lessEq int) {
	s.cuts = s.cuts[:0]
	for _, r := range w {
		c := cut{below(r, p), atMost(r, p)}
		s.cuts = append(s.cuts, c)
		less += c.less
		lessEq += c.lessEq
	}
	return less, lessEq
}

// below is the number of values of sorted r that are less than p.
func below(r []float64, p float64) int {
	lo, hi := 0, len(r)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r[m] < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// atMost is the number of values of sorted r that are at most p.
func atMost(r []float64, p float64) int {
	lo, hi := 0, len(r)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r[m] <= p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// quickselect returns the k-th smallest value of a (0-based), reordering
// a. Partitions are three-way, so repeated values cost nothing extra;
// pivots are medians of three spread positions, rotated by a cheap
// generator so that no fixed input order makes it quadratic.
func quickselect(a []float64, k int) float64 {
	seed := uint64(len(a))*0x9e3779b97f4a7c15 + 1
	for {
		if len(a) <= 12 {
			slices.Sort(a)
			return a[k]
		}
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		n := uint64(len(a))
		p := median3(a[seed%n], a[(seed>>21)%n], a[(seed>>42)%n])
		lt, gt := partition3(a, p)
		switch {
		case k < lt:
			a = a[:lt]
		case k < gt:
			return p
		default:
			k -= gt
			a = a[gt:]
		}
	}
}

func median3(x, y, z float64) float64 {
	if x > y {
		x, y = y, x
	}
	if y > z {
		y = z
	}
	return max(x, y)
}

// partition3 reorders a into values below p, equal to p, and above p,
// returning where the equal ones start and end.
func partition3(a []float64, p float64) (lt, gt int) {
	lt, i, gt := 0, 0, len(a)
	for i < gt {
		switch v := a[i]; {
		case v < p:
			a[lt], a[i] = v, a[lt]
			lt++
			i++
		case v > p:
			gt--
			a[gt], a[i] = v, a[gt]
		default:
			i++
		}
	}
	return lt, gt
}
