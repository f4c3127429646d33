package valueruns

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSortedTellsChunksFromSeparateRuns(t *testing.T) {
	a := Encode([]Point{{1, 1}, {2, 2}})
	b := Encode([]Point{{2, 3}, {5, 4}})
	c := Encode([]Point{{0, 5}, {9, 6}})
	for _, tc := range []struct {
		name string
		runs [][]byte
		want bool
	}{
		{"none", nil, true},
		{"one run", [][]byte{c}, true},
		{"chunks in order, a value repeated at the seam", [][]byte{a, b}, true},
		{"chunks out of order", [][]byte{b, a}, false},
		{"overlapping runs", [][]byte{a, c}, false},
		{"an empty run between", [][]byte{a, {}, b}, true},
	} {
		if got := Sorted(tc.runs); got != tc.want {
			t.Errorf("%s: Sorted = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMergeKeepsEveryPointInValueOrder(t *testing.T) {
	runs := [][]byte{
		Encode([]Point{{3, 30}, {-1, 10}}),
		Encode([]Point{{math.Inf(1), 5}}),
		Encode([]Point{{2, 20}, {-1, 11}, {7, 70}}),
	}
	merged, n, err := Merge(runs)
	if err != nil || n != 6 {
		t.Fatalf("Merge: %d points, %v", n, err)
	}
	got, err := Decode(merged)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(got, func(a, b Point) int { return int(a.TS - b.TS) })
	want := []Point{{math.Inf(1), 5}, {-1, 10}, {-1, 11}, {2, 20}, {3, 30}, {7, 70}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("points (-want +got):\n%s", d)
	}
	if !Sorted([][]byte{merged}) {
		t.Error("the merged run is not sorted by value")
	}
	if _, _, err := Merge([][]byte{make([]byte, 5)}); err == nil {
		t.Error("Merge of a partial point succeeded")
	}
}

func TestCompactMergesUnsortedRunsAndSplitsLargeOnes(t *testing.T) {
	a := Encode([]Point{{1, 1}, {4, 2}, {6, 3}})
	b := Encode([]Point{{2, 4}, {3, 5}})
	if got, err := Compact("m", 60, []int64{7}, [][]byte{a}, 1000); err != nil || got != nil {
		t.Errorf("Compact of one sorted run = %v, %v; want nothing to do", got, err)
	}
	got, err := Compact("m", 60, []int64{9, 4}, [][]byte{a, b}, 3*PairSize)
	if err != nil {
		t.Fatal(err)
	}
	summary := make([]string, 0, len(got))
	for _, r := range got {
		pts, err := Decode(r.Points)
		if err != nil || len(pts) != r.Count || r.Name != "m" || r.Start != 60 {
			t.Fatalf("run %+v: %v", r, err)
		}
		summary = append(summary, fmt.Sprintf("id %d: %v..%v", r.ID, pts[0].Value, pts[len(pts)-1].Value))
	}
	if d := cmp.Diff([]string{"id 4: 1..3", "id 9: 4..6"}, summary); d != "" {
		t.Errorf("merged runs (-want +got):\n%s", d)
	}
	got, err = Compact("m", 60, []int64{9, 4}, [][]byte{a, b}, PairSize)
	if err != nil || len(got) != 5 || got[1].ID != 9 || got[2].ID != 0 {
		t.Errorf("Compact into one-point rows: %d runs, %v; want 5, the last three without ids", len(got), err)
	}
	got, err = Compact("m", 60, []int64{3}, [][]byte{a}, 2*PairSize)
	if err != nil || len(got) != 2 || got[0].ID != 3 || got[0].Count != 2 || got[1].ID != 0 || got[1].Count != 1 {
		t.Errorf("Compact of one run larger than a row = %+v, %v; want it split in two", got, err)
	}
}
