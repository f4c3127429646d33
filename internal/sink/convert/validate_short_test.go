package convert_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
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
