package valueruns

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortedRuns draws runs of random lengths up to maxLen with repeated
// values, and returns them with their sorted union.
func sortedRuns(rng *rand.Rand, runs, maxLen, distinct int) ([][]float64, []float64) {
	all := make([]float64, 0, runs*maxLen)
	out := make([][]float64, runs)
	for i := range out {
		r := make([]float64, 1+rng.IntN(maxLen))
		for j := range r {
			r[j] = float64(rng.IntN(distinct)-distinct/2) / 4
			if r[j] == 0 && rng.IntN(2) == 0 {
				r[j] = math.Copysign(0, -1)
			}
		}
		slices.Sort(r)
		out[i] = r
		all = append(all, r...)
	}
	slices.Sort(all)
	return out, all
}

func TestNarrowAndQuickselectFindEveryRank(t *testing.T) {
	for _, tc := range []struct{ runs, maxLen, distinct int }{
		{2, 5000, 10}, {7, 3000, 1 << 20}, {50, 200, 3}, {300, 20, 1000}, {1, 10000, 50}, {40, 4000, 1},
	} {
		t.Run(fmt.Sprintf("%d runs up to %d values of %d", tc.runs, tc.maxLen, tc.distinct), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.runs), uint64(tc.maxLen)))
			runs, all := sortedRuns(rng, tc.runs, tc.maxLen, tc.distinct)
			var s selector
			for _, k := range []int{0, 1, len(all) / 2, len(all) * 95 / 100, len(all) - 2, len(all) - 1, rng.IntN(len(all))} {
				k = max(0, min(k, len(all)-1))
				if got := s.narrow(runs, k); got != all[k] {
					t.Errorf("narrow rank %d = %v, want %v", k, got, all[k])
				}
				if got := quickselect(slices.Clone(all), k); got != all[k] {
					t.Errorf("quickselect rank %d = %v, want %v", k, got, all[k])
				}
				ks := []int{k, k, min(k+1, len(all)-1)}
				out := make([]float64, len(ks))
				s.selectRanks(runs, len(all), ks, out)
				for i, k := range ks {
					if out[i] != all[k] {
						t.Errorf("selectRanks rank %d = %v, want %v", k, out[i], all[k])
					}
				}
			}
		})
	}
}

// TestSelectRanksFindsAnySetOfRanks asks for every rank set of a bucket's
// shape (three percentiles, each the ranks around its position, not
// always ascending) on small runs, which are gathered, and for random sets
// on long runs, which are narrowed.
func TestSelectRanksFindsAnySetOfRanks(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		maxLen, tuples := 5, 0
		if seed%2 == 1 {
			maxLen, tuples = 2000, 30
		}
		runs, all := sortedRuns(rng, 2+rng.IntN(5), maxLen, 40)
		n := len(all)
		check := func(ks []int) {
			out := make([]float64, len(ks))
			var s selector
			s.selectRanks(runs, n, ks, out)
			for i, k := range ks {
				if out[i] != all[k] {
					t.Fatalf("seed %d, ranks %v: got %v, want %v", seed, ks, out, all[k])
				}
			}
		}
		if tuples == 0 {
			for a := range n {
				for b := range n {
					check([]int{a, min(a+1, n-1), b, min(b+1, n-1), b, a})
				}
			}
			continue
		}
		for range tuples {
			a, b, c := rng.IntN(n), rng.IntN(n), rng.IntN(n)
			check([]int{a, min(a+1, n-1), b, min(b+1, n-1), c, min(c+1, n-1)})
		}
	}
}

func TestNarrowLeavesTheRunsUntouched(t *testing.T) {
	runs := [][]float64{{1, 2, 3}, {2, 4, 6, 8}}
	var s selector
	_ = s.narrow(runs, 3)
	if len(runs[0]) != 3 || len(runs[1]) != 4 || runs[1][0] != 2 {
		t.Errorf("runs changed: %v", runs)
	}
}

// BenchmarkSelectRanks compares the two ways of finding the six ranks of a
// bucket's percentiles, which is what the thresholds gatherBelow and
// gatherPerRun choose between.
func BenchmarkSelectRanks(b *testing.B) {
	for _, shape := range []struct{ runs, length int }{{7, 500}, {60, 56}, {2000, 500}, {1500, 56}, {20000, 4}} {
		rng := rand.New(rand.NewPCG(1, 1))
		runs := make([][]float64, shape.runs)
		for i := range runs {
			runs[i] = make([]float64, shape.length)
			for j := range runs[i] {
				runs[i][j] = math.Round(math.Exp(rng.NormFloat64()+3)*100) / 100
			}
			slices.Sort(runs[i])
		}
		n := shape.runs * shape.length
		ks := []int{n / 2, n / 2, n * 95 / 100, n*95/100 + 1, n * 99 / 100, n*99/100 + 1}
		out := make([]float64, len(ks))
		name := fmt.Sprintf("%dx%d", shape.runs, shape.length)
		b.Run(name+"/narrow", func(b *testing.B) {
			var s selector
			for b.Loop() {
				for i, k := range ks {
					out[i] = s.narrow(runs, k)
				}
			}
		})
		b.Run(name+"/selectRanks", func(b *testing.B) {
			var s selector
			for b.Loop() {
				s.selectRanks(runs, n, ks, out)
			}
		})
		b.Run(name+"/gather", func(b *testing.B) {
			var s selector
			for b.Loop() {
				s.buf = s.buf[:0]
				for _, r := range runs {
					s.buf = append(s.buf, r...)
				}
				for i, k := range ks {
					out[i] = quickselect(s.buf, k)
				}
			}
		})
	}
}
