// Package otlpwiretest builds the OTLP trace requests that the tests and
// fuzz targets of otlpwire and convert share: well-formed ones with every
// kind of field and value, and hand-made encodings that protobuf reads in
// its own way.
package otlpwiretest

import (
	"math"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Ids and a time the requests use.
var (
	T0     = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	TraceA = []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	SpanA  = []byte{1, 1, 1, 1, 1, 1, 1, 1}
)

// Str is a string attribute.
func Str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

// Resource is the resource of TraceRequest.
func Resource() *resourcepb.Resource {
	return &resourcepb.Resource{Attributes: []*commonpb.KeyValue{Str("service.name", "shop"), Str("env", "prod")}}
}

// TraceRequest is one failed server span with two events.
func TraceRequest() *coltracepb.ExportTraceServiceRequest {
	ns := uint64(T0.UnixNano())
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: Resource(),
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "lib"},
			Spans: []*tracepb.Span{{
				TraceId: TraceA, SpanId: SpanA, Name: "GET /", Kind: tracepb.Span_SPAN_KIND_SERVER,
				StartTimeUnixNano: ns, EndTimeUnixNano: ns + uint64(time.Second),
				Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"},
				Attributes: []*commonpb.KeyValue{Str("http.method", "GET")},
				Events: []*tracepb.Span_Event{
					{Name: "retry", TimeUnixNano: ns + 5, Attributes: []*commonpb.KeyValue{Str("event.type", "audit")}},
					{Name: "done", TimeUnixNano: ns + 6},
				},
			}},
		}},
	}}}
}

// AnyValue encodes a Go value as an AnyValue.
func AnyValue(v any) *commonpb.AnyValue {
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
			arr.Values = append(arr.Values, AnyValue(e))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: arr}}
	case map[string]any:
		kvl := &commonpb.KeyValueList{}
		for k, e := range x {
			kvl.Values = append(kvl.Values, &commonpb.KeyValue{Key: k, Value: AnyValue(e)})
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: kvl}}
	default:
		return &commonpb.AnyValue{}
	}
}

// RichRequest holds every kind of value and field the decoders read or
// skip, over several resources, scopes and traces, and spans with invalid
// ids.
func RichRequest() *coltracepb.ExportTraceServiceRequest {
	req := TraceRequest()
	sp := req.ResourceSpans[0].ScopeSpans[0].Spans[0]
	for k, v := range map[string]any{
		"s": "x", "empty": "", "b": true, "i": int64(-7), "f": 1.5, "nan": math.NaN(), "bytes": []byte{0, 1},
		"nobytes": []byte{}, "arr": []any{"a", int64(1), []any{}, map[string]any{"k": false}},
		"kv": map[string]any{"n": map[string]any{}, "z": nil}, "none": nil,
	} {
		sp.Attributes = append(sp.Attributes, &commonpb.KeyValue{Key: k, Value: AnyValue(v)})
	}
	sp.Attributes = append(sp.Attributes, &commonpb.KeyValue{Key: "novalue"}, Str("s", "last wins"))
	sp.TraceState, sp.Flags, sp.DroppedAttributesCount, sp.DroppedEventsCount = "k=v", 1, 2, 3
	sp.Links = []*tracepb.Span_Link{{TraceId: TraceA, SpanId: SpanA, Attributes: []*commonpb.KeyValue{Str("l", "v")}}}
	req.ResourceSpans[0].SchemaUrl = "https://opentelemetry.io/schemas/1.0"
	req.ResourceSpans[0].ScopeSpans[0].Scope = &commonpb.InstrumentationScope{
		Name: "lib", Version: "1.2", Attributes: []*commonpb.KeyValue{Str("a", "b")}, DroppedAttributesCount: 1,
	}
	spans := make([]*tracepb.Span, 0, 44)
	for i := range 40 {
		tid := make([]byte, 16)
		tid[0], tid[15] = byte(i), byte(i*7)
		spans = append(spans, &tracepb.Span{
			TraceId: tid, SpanId: []byte{byte(i + 1), 0, 0, 0, 0, 0, 0, 1}, ParentSpanId: SpanA,
			Name: "child", Kind: tracepb.Span_SpanKind(i % 7), Status: &tracepb.Status{Code: tracepb.Status_StatusCode(i % 4)},
			StartTimeUnixNano: uint64(i), EndTimeUnixNano: uint64(i * 1000),
			Events: []*tracepb.Span_Event{{Name: "e", Attributes: []*commonpb.KeyValue{Str("event.type", "x")}}},
		})
	}
	spans = append(spans,
		&tracepb.Span{TraceId: TraceA[:15], SpanId: SpanA, Name: "short trace id"},
		&tracepb.Span{TraceId: TraceA, SpanId: make([]byte, 8), Name: "zero span id"},
		&tracepb.Span{TraceId: make([]byte, 16), SpanId: SpanA, Name: "zero trace id"},
		&tracepb.Span{TraceId: TraceA, SpanId: SpanA, ParentSpanId: make([]byte, 8), Name: "zero parent"},
	)
	req.ResourceSpans = append(req.ResourceSpans,
		&tracepb.ResourceSpans{ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}, {}}},
		&tracepb.ResourceSpans{Resource: &resourcepb.Resource{DroppedAttributesCount: 1}},
	)
	return req
}

// Marshal encodes m, which cannot fail for the messages built here.
func Marshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// Field appends one length-delimited field.
func Field(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// Varint appends one varint field.
func Varint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// Fixed64 appends one fixed64 field.
func Fixed64(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(b, num, protowire.Fixed64Type), v)
}

// Request wraps encoded spans into a request with one resource and scope,
// the resource after its spans.
func Request(resource []byte, spans ...[]byte) []byte {
	var scope []byte
	for _, sp := range spans {
		scope = Field(scope, 2, sp)
	}
	rs := Field(Field(nil, 2, scope), 1, resource)
	return Field(nil, 1, rs)
}

// ValidSpan is a span with its ids and a name.
func ValidSpan() []byte {
	return Field(Field(Field(nil, 1, TraceA), 2, SpanA), 5, []byte("op"))
}

// Encoded is the store.Encoded the sink hands a store that keeps requests
// when its policy keeps everything of raw, a valid trace request: with the
// span heads when heads is set, as for stores that index them.
func Encoded(raw []byte, heads bool) (store.Encoded, error) {
	col := otlpwire.AcquireCollector()
	defer col.Release()
	raw, err := otlpwire.ValidateTraces(raw, col)
	if err != nil {
		return store.Encoded{}, err
	}
	enc := store.Encoded{Signal: store.SignalTraces, Data: raw}
	for _, sp := range col.Spans() {
		enc.Spans++
		enc.Events += sp.Events
		if heads {
			enc.Heads = append(enc.Heads, sp.Head)
		}
	}
	if heads {
		otlpwire.EachBytes(raw, otlpwire.TraceRequestResourceSpans, func(rs []byte) {
			enc.Resources = append(enc.Resources, otlpwire.ResourceOf(rs))
		})
	}
	return enc, nil
}
