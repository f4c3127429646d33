package convert_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
)

// The validator reads the common encodings of attributes in short forms
// instead of walking them; a short form may answer true only for bytes
// that protobuf decodes, and must answer true for the encodings exporters
// send, or it saves nothing.
func TestShortFormsAcceptOnlyWhatProtobufDecodes(t *testing.T) {
	values := []*commonpb.AnyValue{
		nil, {},
		{Value: &commonpb.AnyValue_StringValue{StringValue: ""}},
		{Value: &commonpb.AnyValue_StringValue{StringValue: "GET"}},
		{Value: &commonpb.AnyValue_StringValue{StringValue: "é€" + strings.Repeat("x", 200)}},
		{Value: &commonpb.AnyValue_StringValue{StringValue: strings.Repeat("y", 16380)}},
		{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}},
		{Value: &commonpb.AnyValue_IntValue{IntValue: -1}},
		{Value: &commonpb.AnyValue_IntValue{IntValue: 200}},
		{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: math.Pi}},
		{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xff, 0}}},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var shortCount int
	for _, key := range []string{"", "http.method", strings.Repeat("k", 130)} {
		for _, val := range values {
			raw, err := proto.Marshal(&commonpb.KeyValue{Key: key, Value: val})
			if err != nil {
				t.Fatal(err)
			}
			if !convert.ShortKeyValue(raw) {
				t.Errorf("key %.10q, % x...: not read as a short form", key, raw[:min(len(raw), 16)])
			}
			checkShort(t, raw)
			for i := 0; i < 300 && len(raw) > 0; i++ {
				b := mutated(raw, rng)
				if checkShort(t, b) {
					shortCount++
				}
			}
		}
	}
	// Forms the validator must leave to the walk: they are valid, but not
	// short, or not valid at all.
	for _, b := range [][]byte{
		{0x12, 0x00, 0x0a, 0x01, 'k'},                   // value before key
		{0x0a, 0x01, 'k', 0x0a, 0x01, 'j'},              // key twice
		{0x0a, 0x01, 0xff},                              // key not UTF-8
		{0x0a, 0x01, 'k', 0x12, 0x03, 0x0a, 0x01, 0xc3}, // value not UTF-8
		{0x0a, 0x01, 'k', 0x12, 0x02, 0x2a, 0x00},       // array value
		{0x0a, 0x01, 'k', 0x12, 0x02, 0x18, 0x80},       // varint cut short
		{0x0a, 0x01, 'k', 0x12, 0x02, 0x21, 0x00},       // double cut short
		{0x0a, 0x80, 0x01, 'k'},                         // length past the end
		{0x0a, 0x01, 'k', 0x10, 0x01},                   // unknown field
	} {
		if convert.ShortKeyValue(b) {
			t.Errorf("% x: read as a short form", b)
		}
		checkShort(t, b)
	}
	t.Logf("%d of the mutated encodings were still short forms", shortCount)
}

// checkShort fails when a short form accepts b but protobuf does not.
func checkShort(t *testing.T, b []byte) bool {
	t.Helper()
	short := convert.ShortKeyValue(b)
	if short {
		if err := proto.Unmarshal(b, &commonpb.KeyValue{}); err != nil {
			t.Errorf("% x: a short KeyValue, but protobuf says %v", b, err)
		}
	}
	if convert.ShortAnyValue(b) {
		if err := proto.Unmarshal(b, &commonpb.AnyValue{}); err != nil {
			t.Errorf("% x: a short AnyValue, but protobuf says %v", b, err)
		}
	}
	return short
}

// Spans are read by validateSpan, which handles their common fields in one
// loop and hands the rest of a span to validate at the first field it does
// not: for any request it must accept and refuse what validate alone does,
// and collect the same of every span.
func TestSpanShortFormCollectsWhatValidateDoes(t *testing.T) {
	res := marshal(t, resource())
	fixed := func(b []byte, num protowire.Number, v uint64) []byte {
		return protowire.AppendFixed64(protowire.AppendTag(b, num, protowire.Fixed64Type), v)
	}
	attr := field(field(nil, 1, []byte("k")), 2, field(nil, 1, []byte("v")))
	inputs := [][]byte{ //nolint:prealloc // The crafted inputs, then their mutations.
		marshal(t, richRequest()),
		request(res, validSpan()),
		// Times and attributes before the ids, a repeated trace id (the last wins).
		request(res, field(field(field(fixed(fixed(field(nil, 9, attr), 8, 9), 7, 3), 1, traceA), 2, spanA), 1, make([]byte, 16))),
		// A name of 200 bytes (a two-byte length), a kind of 200 (a two-byte varint).
		request(res, varint(field(validSpan(), 5, []byte(strings.Repeat("n", 200))), 6, 200)),
		// An attribute that is not in a short form, then the parent.
		request(res, field(field(validSpan(), 9, field(nil, 2, field(nil, 5, nil))), 4, spanA)),
		// Unknown field between the known ones, then a status and an event.
		request(res, field(field(varint(validSpan(), 99, 1), 15, varint(nil, 3, 2)), 11, field(nil, 2, []byte("e")))),
		// Cut inside a fixed64, and inside a name.
		request(res, fixed(validSpan(), 7, 1)[:len(validSpan())+5]),
		request(res, append(validSpan(), 0x2a, 0x05, 'a')),
		// A name that is not UTF-8 after fields read the short way.
		request(res, field(fixed(validSpan(), 8, 2), 5, []byte{0xff})),
	}
	rng := rand.New(rand.NewPCG(7, 8))
	mutations := make([][]byte, 0, 6000)
	for _, raw := range inputs[:2] {
		for range 3000 {
			mutations = append(mutations, mutated(raw, rng))
		}
	}
	inputs = append(inputs, mutations...)
	accepted := 0
	for i, raw := range inputs {
		short, errShort := convert.CollectedSpans(raw, true)
		walked, errWalked := convert.CollectedSpans(raw, false)
		if (errShort == nil) != (errWalked == nil) {
			t.Fatalf("input %d (% x): short form says %v, validate says %v", i, raw[:min(len(raw), 32)], errShort, errWalked)
		}
		if errShort != nil {
			continue
		}
		accepted++
		if diff := cmp.Diff(walked, short); diff != "" {
			t.Fatalf("input %d: spans collected (-validate +short form):\n%s", i, diff)
		}
	}
	if accepted < len(inputs)/10 {
		t.Fatalf("only %d of %d inputs were valid: the comparison says little", accepted, len(inputs))
	}
	t.Logf("%d of %d inputs valid, collected alike", accepted, len(inputs))
}
