package convert_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// checkSameAsProtobuf converts raw with TracesProto and with proto.Unmarshal
// followed by Traces, and fails unless the batches, the errors and the
// counters agree.
func checkSameAsProtobuf(t *testing.T, raw []byte, rate float64, sig convert.Signals) {
	t.Helper()
	fast, slow := converter(rate, sig), converter(rate, sig)
	got, gotErr := fast.TracesProto(raw)
	req := &coltracepb.ExportTraceServiceRequest{}
	var want *store.Batch
	wantErr := proto.Unmarshal(raw, req)
	if wantErr == nil {
		want = slow.Traces(req)
	}
	if diff := cmp.Diff(errText(wantErr), errText(gotErr)); diff != "" {
		t.Fatalf("error (-protobuf +wire):\n%s", diff)
	}
	if diff := cmp.Diff(want, got, ignored, cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("batch (-protobuf +wire):\n%s", diff)
	}
	if diff := cmp.Diff(counters(t, slow.Telemetry.Registry), counters(t, fast.Telemetry.Registry)); diff != "" {
		t.Fatalf("counters (-protobuf +wire):\n%s", diff)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// counters renders the sink's counter series of a registry as "name{labels} value".
func counters(t *testing.T, r *prometheus.Registry) []string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if strings.HasPrefix(f.GetName(), "sink_") && m.GetCounter() != nil {
				out = append(out, f.GetName()+labels(m)+" "+strconv.FormatFloat(m.GetCounter().GetValue(), 'g', -1, 64))
			}
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	parts := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func anyValue(v any) *commonpb.AnyValue {
	switch x := v.(type) {
	case string:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: x}}
	case bool:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: x}}
	case int64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: x}}
	case float64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: x}}
	case []byte:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: x}}
	case []any:
		arr := &commonpb.ArrayValue{}
		for _, e := range x {
			arr.Values = append(arr.Values, anyValue(e))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: arr}}
	case map[string]any:
		kvl := &commonpb.KeyValueList{}
		for k, e := range x {
			kvl.Values = append(kvl.Values, &commonpb.KeyValue{Key: k, Value: anyValue(e)})
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: kvl}}
	default:
		return &commonpb.AnyValue{}
	}
}

// richRequest holds every kind of value and field the converter reads or
// skips, over several resources, scopes and traces.
func richRequest() *coltracepb.ExportTraceServiceRequest {
	req := traceRequest()
	sp := req.ResourceSpans[0].ScopeSpans[0].Spans[0]
	for k, v := range map[string]any{
		"s": "x", "empty": "", "b": true, "i": int64(-7), "f": 1.5, "nan": math.NaN(), "bytes": []byte{0, 1},
		"nobytes": []byte{}, "arr": []any{"a", int64(1), []any{}, map[string]any{"k": false}},
		"kv": map[string]any{"n": map[string]any{}, "z": nil}, "none": nil,
	} {
		sp.Attributes = append(sp.Attributes, &commonpb.KeyValue{Key: k, Value: anyValue(v)})
	}
	sp.Attributes = append(sp.Attributes, &commonpb.KeyValue{Key: "novalue"}, str("s", "last wins"))
	sp.TraceState, sp.Flags, sp.DroppedAttributesCount, sp.DroppedEventsCount = "k=v", 1, 2, 3
	sp.Links = []*tracepb.Span_Link{{TraceId: traceA, SpanId: spanA, Attributes: []*commonpb.KeyValue{str("l", "v")}}}
	req.ResourceSpans[0].SchemaUrl = "https://opentelemetry.io/schemas/1.0"
	req.ResourceSpans[0].ScopeSpans[0].Scope = &commonpb.InstrumentationScope{
		Name: "lib", Version: "1.2", Attributes: []*commonpb.KeyValue{str("a", "b")}, DroppedAttributesCount: 1,
	}
	spans := make([]*tracepb.Span, 0, 44)
	for i := range 40 {
		tid := make([]byte, 16)
		tid[0], tid[15] = byte(i), byte(i*7)
		spans = append(spans, &tracepb.Span{
			TraceId: tid, SpanId: []byte{byte(i + 1), 0, 0, 0, 0, 0, 0, 1}, ParentSpanId: spanA,
			Name: "child", Kind: tracepb.Span_SpanKind(i % 7), Status: &tracepb.Status{Code: tracepb.Status_StatusCode(i % 4)},
			StartTimeUnixNano: uint64(i), EndTimeUnixNano: uint64(i * 1000),
			Events: []*tracepb.Span_Event{{Name: "e", Attributes: []*commonpb.KeyValue{str("event.type", "x")}}},
		})
	}
	spans = append(spans,
		&tracepb.Span{TraceId: traceA[:15], SpanId: spanA, Name: "short trace id"},
		&tracepb.Span{TraceId: traceA, SpanId: make([]byte, 8), Name: "zero span id"},
		&tracepb.Span{TraceId: make([]byte, 16), SpanId: spanA, Name: "zero trace id"},
		&tracepb.Span{TraceId: traceA, SpanId: spanA, ParentSpanId: make([]byte, 8), Name: "zero parent"},
	)
	req.ResourceSpans = append(req.ResourceSpans,
		&tracepb.ResourceSpans{ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}, {}}},
		&tracepb.ResourceSpans{Resource: &resourcepb.Resource{DroppedAttributesCount: 1}},
	)
	return req
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTracesProtoConvertsAsProtobufDoes(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate float64
		sig  convert.Signals
	}{
		{name: "all signals", rate: 1, sig: all},
		{name: "half sampled", rate: 0.5, sig: all},
		{name: "none sampled", rate: 0, sig: all},
		{name: "events off", rate: 1, sig: convert.Signals{Traces: true}},
		{name: "traces off", rate: 1, sig: convert.Signals{Events: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := marshal(t, richRequest())
			if !convert.TakesFastPath(converter(tc.rate, tc.sig), raw) {
				t.Fatal("the rich request fell back to protobuf")
			}
			checkSameAsProtobuf(t, raw, tc.rate, tc.sig)
			checkSameAsProtobuf(t, nil, tc.rate, tc.sig)
		})
	}
}

// field appends one length-delimited field.
func field(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func varint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// request wraps encoded spans into a request with one resource and scope.
func request(resource []byte, spans ...[]byte) []byte {
	var scope []byte
	for _, sp := range spans {
		scope = field(scope, 2, sp)
	}
	rs := field(field(nil, 2, scope), 1, resource) // the resource after its spans
	return field(nil, 1, rs)
}

func validSpan() []byte {
	return field(field(field(nil, 1, traceA), 2, spanA), 5, []byte("op"))
}

// TestTracesProtoEncodingsOutsideTheFastPath feeds encodings that protobuf
// reads in its own way (merges, unknown and mistyped fields, bad UTF-8, bad
// lengths): the result must still be protobuf's.
func TestTracesProtoEncodingsOutsideTheFastPath(t *testing.T) {
	res := marshal(t, resource())
	kv := func(k string, v []byte) []byte { return field(field(nil, 1, []byte(k)), 2, v) }
	for _, tc := range []struct {
		name string
		raw  []byte
		fast bool
	}{
		{name: "fields out of order", raw: request(res, validSpan()), fast: true},
		{name: "unknown fields", raw: request(varint(res, 99, 1), varint(validSpan(), 99, 3)), fast: true},
		{name: "unknown group", raw: request(res, append(validSpan(), protowire.AppendTag(protowire.AppendTag(nil, 98, protowire.StartGroupType), 98, protowire.EndGroupType)...)), fast: true},
		{name: "name twice, last wins", raw: request(res, field(validSpan(), 5, []byte("second"))), fast: true},
		{name: "status twice is merged", raw: request(res, field(field(validSpan(), 15, varint(nil, 3, 2)), 15, field(nil, 2, []byte("m"))))},
		{name: "value twice", raw: request(res, field(validSpan(), 9, kv("k", field(varint(nil, 2, 1), 1, []byte("s")))))},
		{name: "value with two fields", raw: request(res, field(validSpan(), 9, field(field(nil, 1, []byte("k")), 2, field(varint(nil, 3, 1), 1, []byte("s")))))},
		{name: "string index value", raw: request(res, field(validSpan(), 9, kv("k", varint(nil, 8, 1))))},
		{name: "mistyped kind", raw: request(res, field(validSpan(), 6, []byte("x")))},
		{name: "mistyped name", raw: request(res, varint(validSpan(), 5, 1))},
		{name: "resource twice", raw: field(nil, 1, field(field(nil, 1, res), 1, res))},
		{name: "entity refs", raw: request(field(res, 3, nil), validSpan())},
		{name: "invalid UTF-8 name", raw: request(res, field(validSpan(), 5, []byte{0xff}))},
		{name: "invalid UTF-8 key", raw: request(res, field(validSpan(), 9, kv("\xff", nil)))},
		{name: "invalid UTF-8 in a link", raw: request(res, field(validSpan(), 13, field(nil, 3, []byte{0xff})))},
		{name: "truncated", raw: request(res, validSpan())[:20]},
		{name: "length past the end", raw: []byte{0x0a, 0x7f, 0x0a}},
		{name: "field number zero", raw: []byte{0x00, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := convert.TakesFastPath(converter(1, all), tc.raw); got != tc.fast {
				t.Errorf("fast path taken: %v, want %v", got, tc.fast)
			}
			checkSameAsProtobuf(t, tc.raw, 1, all)
		})
	}
}

// TestTracesProtoMutatedInput flips, cuts and inserts bytes of a valid
// request at random: whatever protobuf makes of the bytes, so must
// TracesProto.
func TestTracesProtoMutatedInput(t *testing.T) {
	raw := marshal(t, richRequest())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		b := mutated(raw, rng)
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkSameAsProtobuf(t, b, 0.5, all) })
	}
}

// mutated returns a copy of raw with one to three bytes flipped, cut or
// inserted at random.
func mutated(raw []byte, rng *rand.Rand) []byte {
	b := append([]byte{}, raw...)
	for range 1 + rng.IntN(3) {
		at := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b[at] ^= byte(1 << rng.IntN(8))
		case 1:
			b = b[:at]
		default:
			b = append(b[:at], append([]byte{byte(rng.Uint32())}, b[at:]...)...)
		}
		if len(b) == 0 {
			break
		}
	}
	return b
}
