package otlpwire_test

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
)

// The validator's UTF-8 check skips utf8.Valid for short ASCII strings; it
// must answer as utf8.Valid does for every string, short or long, at the
// length where it switches and with a bad byte anywhere.
func TestValidUTF8AnswersAsUTF8Valid(t *testing.T) {
	var cases []string
	for n := 0; n <= 18; n++ {
		ascii := strings.Repeat("a", n)
		cases = append(cases, ascii)
		for i := 0; i < n; i++ {
			for _, bad := range []string{"\xff", "\xc3", "\x80", "é", "€"} {
				cases = append(cases, ascii[:i]+bad+ascii[i+1:])
			}
		}
	}
	cases = append(cases, "\xed\xa0\x80", "\xf4\x90\x80\x80", "αβγ", strings.Repeat("é", 20)+"\xff")
	for _, c := range cases {
		if got, want := otlpwire.ValidUTF8([]byte(c)), utf8.ValidString(c); got != want {
			t.Errorf("%q (%d bytes): %v, utf8.Valid says %v", c, len(c), got, want)
		}
	}
}

// shortFormSeeds are KeyValue encodings of every value kind the short
// forms read, with keys of one- and two-byte lengths.
func shortFormSeeds() [][]byte {
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
	out := make([][]byte, 0, 3*len(values))
	for _, key := range []string{"", "http.method", strings.Repeat("k", 130)} {
		for _, val := range values {
			out = append(out, otlpwiretest.Marshal(&commonpb.KeyValue{Key: key, Value: val}))
		}
	}
	return out
}

// The validator reads the common encodings of attributes in short forms
// instead of walking them: a short form must answer true for the
// encodings exporters send, or it saves nothing, and must leave other
// forms to the walk.
func TestShortFormsReadWhatExportersSend(t *testing.T) {
	for _, raw := range shortFormSeeds() {
		if !otlpwire.ShortKeyValue(raw) {
			t.Errorf("% x...: not read as a short form", raw[:min(len(raw), 16)])
		}
		checkShort(t, raw)
	}
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
		if otlpwire.ShortKeyValue(b) {
			t.Errorf("% x: read as a short form", b)
		}
		checkShort(t, b)
	}
}

// FuzzShortForms: a short form may answer true only for bytes protobuf
// decodes.
func FuzzShortForms(f *testing.F) {
	for _, raw := range shortFormSeeds() {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkShort(t, b) })
}

// checkShort fails when a short form accepts b but protobuf does not.
func checkShort(t *testing.T, b []byte) {
	t.Helper()
	if otlpwire.ShortKeyValue(b) {
		if err := proto.Unmarshal(b, &commonpb.KeyValue{}); err != nil {
			t.Errorf("% x: a short KeyValue, but protobuf says %v", b, err)
		}
	}
	if otlpwire.ShortAnyValue(b) {
		if err := proto.Unmarshal(b, &commonpb.AnyValue{}); err != nil {
			t.Errorf("% x: a short AnyValue, but protobuf says %v", b, err)
		}
	}
}

// checkValidates fails unless ValidateTraces accepts exactly what
// protobuf decodes, and the span loop collects what the general walk does.
func checkValidates(t *testing.T, raw []byte) {
	t.Helper()
	col := otlpwire.AcquireCollector()
	defer col.Release()
	_, err := otlpwire.ValidateTraces(raw, col)
	req := &coltracepb.ExportTraceServiceRequest{}
	wantErr := proto.Unmarshal(raw, req)
	if wantErr == nil {
		wantErr = otlpwire.CheckTimes(req)
	}
	if diff := cmp.Diff(errText(wantErr), errText(err)); diff != "" {
		t.Fatalf("% x: error (-protobuf +ValidateTraces):\n%s", raw[:min(len(raw), 32)], diff)
	}
	short, errShort := otlpwire.CollectedSpans(raw, true)
	walked, errWalked := otlpwire.CollectedSpans(raw, false)
	if (errShort == nil) != (errWalked == nil) || (errShort == nil) != (proto.Unmarshal(raw, req) == nil) {
		t.Fatalf("% x: span loop says %v, walk says %v, protobuf says %v", raw[:min(len(raw), 32)], errShort, errWalked, wantErr)
	}
	if diff := cmp.Diff(walked, short); errShort == nil && diff != "" {
		t.Fatalf("spans collected (-walk +span loop):\n%s", diff)
	}
}

// Spans are read by a loop of their own, which hands the rest of a span to
// the general walk at the first field it does not read: for any request it
// must accept and refuse what the walk alone does, and collect the same of
// every span.
func TestValidateTracesAcceptsWhatProtobufDecodes(t *testing.T) {
	for _, raw := range otlpwiretest.SpanCases() {
		checkValidates(t, raw)
	}
	for _, tc := range otlpwiretest.Unusual() {
		t.Run(tc.Name, func(t *testing.T) { checkValidates(t, tc.Raw) })
	}
}

// FuzzValidateTraces: ValidateTraces accepts what protobuf decodes, and
// the span loop collects what the walk does.
func FuzzValidateTraces(f *testing.F) {
	for _, raw := range otlpwiretest.SpanCases() {
		f.Add(raw)
	}
	for _, tc := range otlpwiretest.Unusual() {
		f.Add(tc.Raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkValidates(t, raw) })
}
