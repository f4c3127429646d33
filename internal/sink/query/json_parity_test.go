package query

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

type inner struct {
	A string `json:"a"`
	B int    `json:"b,omitempty"`
	C int    // Hidden by outer.C.
	D int    `json:"d"` // Hidden by outer.D, which is shallower.
}

type other struct {
	E int `json:"e"`
	F int `json:"f"`
}

type sameDepth struct {
	E int `json:"e"` // Ties with other.E: neither is written.
	F int // Loses to other's tagged f.
}

type outer struct {
	inner
	*other
	sameDepth
	Named     inner          `json:"named"`
	C         int            `json:"C"`
	D         string         `json:"d,omitempty"`
	Skipped   int            `json:"-"`
	Quoted    int64          `json:"quoted,string"`
	QuotedS   string         `json:"qs,string"`
	QuotedF   float64        `json:"qf,string"`
	QuotedP   *bool          `json:"qp,string"`
	QuotedNil *int           `json:"qn,string"`
	Zero      time.Time      `json:"zero,omitzero"`
	ZeroAddr  netip.Addr     `json:"addr,omitzero"`
	Empty     []int          `json:"empty,omitempty"`
	EmptyMap  map[string]int `json:"emptyMap,omitempty"`
	NilPtr    *inner         `json:"nilPtr"`
	Ptr       *inner         `json:"ptr"`
	Iface     any            `json:"iface"`
	Bytes     []byte         `json:"bytes"`
	NilBytes  []byte         `json:"nilBytes"`
	Array     [2]float32     `json:"array"`
	IntKeys   map[int]string `json:"intKeys"`
	TextKeys  map[netip.Addr]bool
	Text      netip.Addr
	unwritten int
}

// parityValues are answers and odd values holding no NaN or infinity,
// which encoding/json encodes, for TestEncodeNonFiniteWritesFiniteValuesAsEncodingJSONDoes.
func parityValues() []any {
	sp := store.Span{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Name: "GET /<a>&b",
		Kind: "server", StartTime: when, EndTime: when.Add(time.Second), Duration: 1, Status: store.SpanStatusOK,
		Attributes: store.Attributes{"s": "caf\u00e9 \u2028 \x00\x1f\"\\ \xff", "i": int64(-3), "f": 100.0,
			"tiny": 1e-7, "big": 1e21, "neg0": math.Copysign(0, -1), "b": []byte("hi"), "nil": nil,
			"l": []any{true, "x", 0.1, []any{}}, "m": map[string]any{"z": 1, "a": map[string]any{}}},
		Resource: store.Attributes{"service.name": "api"}}
	const randoms = 20
	vals := make([]any, 0, 7+randoms)
	vals = append(vals,
		map[string]any{"spans": []store.Span{sp, {}}},
		&store.TraceDetail{Trace: store.Trace{TraceID: sp.TraceID, Duration: 0.25, SpanCount: 1}, Spans: []store.Span{sp}},
		map[string]any{"metrics": []store.Metric{}, "buckets": []store.Aggregate{{Start: when, Min: -1e-300}}},
		map[string]string{"error": `query parameter "limt" <is> not known`},
		outer{inner: inner{A: "a", B: 0, C: 7, D: 8}, other: &other{E: 1, F: 2}, sameDepth: sameDepth{E: 3, F: 4},
			Named: inner{A: "n"}, C: 9, Quoted: -5, QuotedS: `a"b`, QuotedF: 0.5, QuotedP: new(bool),
			Ptr: &inner{B: 2}, Iface: []int{1}, Bytes: []byte{0, 255}, Array: [2]float32{0.1, 3e38},
			IntKeys: map[int]string{10: "x", -2: "y", 3: "z"}, TextKeys: map[netip.Addr]bool{netip.MustParseAddr("::1"): true},
			Text: netip.MustParseAddr("10.0.0.1"), unwritten: 1},
		outer{},
		[]any{nil, float32(1e-7), float32(16777216), int8(-1), uint64(math.MaxUint64), "\u007f"},
	)
	rng := rand.New(rand.NewPCG(1, 2))
	for range randoms {
		vals = append(vals, randomAttributes(rng, 3))
	}
	return vals
}

// randomAttributes builds attributes of every type the stores return, with
// floats of every magnitude.
func randomAttributes(rng *rand.Rand, depth int) store.Attributes {
	a := store.Attributes{}
	for i := range rng.IntN(6) {
		key := string(rune('a'+i)) + string(rune(rng.IntN(0x3000)))
		switch k := rng.IntN(7); {
		case k == 0 && depth > 0:
			a[key] = map[string]any(randomAttributes(rng, depth-1))
		case k == 1 && depth > 0:
			a[key] = []any{rng.Int64(), math.Float64frombits(rng.Uint64() &^ (0x7ff << 52))}
		case k == 2:
			a[key] = math.Float64frombits(rng.Uint64() &^ (1 << 62)) // Exponent below 1024: finite.
		case k == 3:
			a[key] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
		case k == 4:
			a[key] = string([]byte{byte(rng.IntN(256)), '<', byte(rng.IntN(128))})
		default:
			a[key] = rng.IntN(2) == 0
		}
	}
	return a
}
