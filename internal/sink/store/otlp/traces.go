package otlp

import (
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

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
	var keys resourceKeys
	byScope := map[string]*tracepb.ScopeSpans{}
	for i := range spans {
		sp := &spans[i]
		rk := keys.of(sp.Resource)
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
