package memory

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCollectorKeepsTheFirstRecordsInOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ size, limit int }{{1000, 10}, {1000, 100}, {50, 10}, {0, 10}, {30, 30}} {
		values := make([]int, tc.size)
		for i := range values {
			values[i] = r.IntN(200) // with duplicates, as equal timestamps are
		}
		c := newCollector(tc.limit, tc.size, func(a, b *int) int { return cmp.Compare(*a, *b) })
		for i := range values {
			c.add(&values[i])
		}
		want := slices.Sorted(slices.Values(values))
		want = want[:min(len(want), tc.limit)]
		if d := gocmp.Diff(want, c.result(), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("size %d limit %d (-want +got):\n%s", tc.size, tc.limit, d)
		}
	}
}
