package valueruns

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncodeSortsByValueAndDecodeRoundTrips(t *testing.T) {
	pts := []Point{{3, 30}, {-1.5, 10}, {math.Inf(1), 5}, {0, -7}, {-1.5, 20}, {math.Inf(-1), 1}}
	got, err := Decode(Encode(pts))
	if err != nil {
		t.Fatal(err)
	}
	values := make([]float64, len(got))
	for i, p := range got {
		values[i] = p.Value
	}
	want := []float64{math.Inf(-1), -1.5, -1.5, 0, 3, math.Inf(1)}
	if d := cmp.Diff(want, values); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	for _, p := range got {
		if p.Value == 3 && p.TS != 30 || p.Value == 0 && p.TS != -7 {
			t.Errorf("point %v lost its timestamp", p)
		}
	}
}

func TestEncodeWritesPostgreSQLsByteOrder(t *testing.T) {
	// float8send(1.5) || int8send(258) in PostgreSQL.
	want := []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}
	if d := cmp.Diff(want, Encode([]Point{{1.5, 258}})); d != "" {
		t.Errorf("encoding (-want +got):\n%s", d)
	}
}

func TestDecodeRefusesPartialPoints(t *testing.T) {
	if _, err := Decode(make([]byte, 17)); err == nil {
		t.Error("Decode of 17 bytes succeeded")
	}
	if err := NewAggregator(0, math.MinInt64, math.MaxInt64).Add(make([]byte, 9)); err == nil {
		t.Error("Aggregator.Add of 9 bytes succeeded")
	}
}

func TestBuilderMakesOneRunPerNameAndMinuteWithoutNaN(t *testing.T) {
	var b Builder
	b.Add("b", 2, Minute+5)
	b.Add("a", 9, 3)
	b.Add("a", 1, Minute-1)
	b.Add("a", math.NaN(), 4)
	b.Add("a", 4, Minute)
	b.Add("a", -1, -1) // the minute before the epoch
	if b.Len() != 5 {
		t.Errorf("Len() = %d, want 5 (NaN left out)", b.Len())
	}
	var got []string
	for _, r := range b.Runs() {
		pts, err := Decode(r.Points)
		if err != nil || len(pts) != r.Count {
			t.Fatalf("run %s@%d: %d points for count %d, %v", r.Name, r.Start, len(pts), r.Count, err)
		}
		for _, p := range pts {
			got = append(got, r.Name+"@"+map[int64]string{-Minute: "-1m", 0: "0", Minute: "1m"}[r.Start]+
				"="+map[float64]string{-1: "-1", 1: "1", 2: "2", 4: "4", 9: "9"}[p.Value])
		}
	}
	want := []string{"a@-1m=-1", "a@0=1", "a@0=9", "a@1m=4", "b@1m=2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("runs (-want +got):\n%s", d)
	}
	if b.Len() != 0 || len(b.Runs()) != 0 {
		t.Error("Runs did not empty the builder")
	}
}

func TestBoundsAndOverlap(t *testing.T) {
	from, to := Bounds(timeRange(1_500, 2*Minute+2_999), 1000)
	if from != 1_000 || to != 2*Minute+2_000 {
		t.Errorf("Bounds at µs precision = %d, %d; want 1000, %d", from, to, 2*Minute+2_000)
	}
	lo, hi := Overlap(from, to)
	if lo != -Minute || hi != to {
		t.Errorf("Overlap = %d, %d; want %d, %d", lo, hi, -Minute, to)
	}
	from, to = Bounds(timeRange(0, 0), 1)
	if lo, hi := Overlap(from, to); lo != math.MinInt64 || hi != math.MaxInt64 {
		t.Errorf("open range overlaps %d, %d; want every minute", lo, hi)
	}
}

func TestChunksSplitARunInValueOrder(t *testing.T) {
	pts := []Point{{5, 1}, {1, 2}, {4, 3}, {2, 4}, {3, 5}}
	r := Run{Name: "m", Start: 0, Count: len(pts), Points: Encode(pts)}
	chunks := r.Chunks(2*PairSize + 3)
	got := make([][]float64, 0, len(chunks))
	for _, c := range chunks {
		dec, err := Decode(c.Points)
		if err != nil || len(dec) != c.Count || c.Name != "m" {
			t.Fatalf("chunk %+v: %v", c, err)
		}
		var vs []float64
		for _, p := range dec {
			vs = append(vs, p.Value)
		}
		got = append(got, vs)
	}
	if d := cmp.Diff([][]float64{{1, 2}, {3, 4}, {5}}, got); d != "" {
		t.Errorf("chunks (-want +got):\n%s", d)
	}
	if n := len(r.Chunks(1)); n != 5 {
		t.Errorf("Chunks(1) made %d chunks, want one point each", n)
	}
	if n := len(r.Chunks(1 << 20)); n != 1 {
		t.Errorf("Chunks(1 MiB) made %d chunks, want the run whole", n)
	}
}
