package otlpwire

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// EncodeSpans is the inverse of decoding: it encodes span records as an
// ExportTraceServiceRequest, grouped by resource and scope as OTLP nests
// them, so that a store that forwards or keeps requests can take records
// too. Ids must be valid (store.ValidateBatch).
func EncodeSpans(spans []store.Span) ([]byte, error) {
	return proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: resourceSpans(spans)})
}

var spanKinds = map[string]tracepb.Span_SpanKind{
	"internal": tracepb.Span_SPAN_KIND_INTERNAL, "server": tracepb.Span_SPAN_KIND_SERVER,
	"client": tracepb.Span_SPAN_KIND_CLIENT, "producer": tracepb.Span_SPAN_KIND_PRODUCER,
	"consumer": tracepb.Span_SPAN_KIND_CONSUMER,
}

var statusCodes = map[string]tracepb.Status_StatusCode{
	store.SpanStatusOK: tracepb.Status_STATUS_CODE_OK, store.SpanStatusError: tracepb.Status_STATUS_CODE_ERROR,
}

// resourceSpans groups spans by resource and scope, as OTLP nests them.
func resourceSpans(spans []store.Span) []*tracepb.ResourceSpans {
	var out []*tracepb.ResourceSpans
	byResource := map[string]*tracepb.ResourceSpans{}
	var keys ResourceKeys
	byScope := map[string]*tracepb.ScopeSpans{}
	for i := range spans {
		sp := &spans[i]
		rk := keys.Of(sp.Resource)
		rs, ok := byResource[rk]
		if !ok {
			rs = &tracepb.ResourceSpans{Resource: &resourcepb.Resource{Attributes: protoAttrs(sp.Resource)}}
			byResource[rk] = rs
			out = append(out, rs)
		}
		sk := rk + "\x00" + sp.Scope
		ss, ok := byScope[sk]
		if !ok {
			ss = &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: sp.Scope}}
			byScope[sk] = ss
			rs.ScopeSpans = append(rs.ScopeSpans, ss)
		}
		ss.Spans = append(ss.Spans, protoSpan(sp))
	}
	return out
}

func protoSpan(sp *store.Span) *tracepb.Span {
	p := &tracepb.Span{
		TraceId:           mustHex(sp.TraceID),
		SpanId:            mustHex(sp.SpanID),
		Name:              sp.Name,
		Kind:              spanKinds[sp.Kind],
		StartTimeUnixNano: uint64(sp.StartTime.UnixNano()),
		EndTimeUnixNano:   uint64(sp.EndTime.UnixNano()),
		Attributes:        protoAttrs(sp.Attributes),
		Status:            &tracepb.Status{Code: statusCodes[sp.Status], Message: sp.StatusMessage},
	}
	if sp.ParentSpanID != "" {
		p.ParentSpanId = mustHex(sp.ParentSpanID)
	}
	return p
}

func protoAttrs(a map[string]any) []*commonpb.KeyValue {
	kvs := make([]*commonpb.KeyValue, 0, len(a))
	for _, k := range sortedKeys(a) {
		kvs = append(kvs, &commonpb.KeyValue{Key: k, Value: protoValue(a[k])})
	}
	return kvs
}

func protoValue(v any) *commonpb.AnyValue {
	switch x := v.(type) {
	case string:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: x}}
	case bool:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: x}}
	case int64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: x}}
	case int:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(x)}}
	case float64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: x}}
	case []byte:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: x}}
	case []any:
		vals := make([]*commonpb.AnyValue, 0, len(x))
		for _, e := range x {
			vals = append(vals, protoValue(e))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vals}}}
	case map[string]any:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: protoAttrs(x)}}}
	case nil:
		return &commonpb.AnyValue{}
	default:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprint(x)}}
	}
}

func sortedKeys(a map[string]any) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ResourceKey identifies a resource, to group records that share one: the
// content id of its attributes, which any value has (encoding/json refused
// NaN and infinities, and gave every such resource the same empty key) and
// which tells a NaN float from the string "NaN".
func ResourceKey(a store.Attributes) string {
	return store.NewContentID("resource").Attributes(a).Sum()
}

// ResourceKeys computes ResourceKey, reusing the last key while records
// carry the same map: the records of one OTLP request share their resource
// map, and encoding it for every record was most of a batch's grouping cost.
type ResourceKeys struct {
	last store.Attributes
	key  string
	set  bool
}

// Of is ResourceKey(a), remembered for the same map.
func (r *ResourceKeys) Of(a store.Attributes) string {
	if !r.set || reflect.ValueOf(a).UnsafePointer() != reflect.ValueOf(r.last).UnsafePointer() {
		r.last, r.key, r.set = a, ResourceKey(a), true
	}
	return r.key
}

// mustHex decodes an id ValidateBatch has checked.
func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
