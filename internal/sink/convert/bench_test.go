package convert_test

import (
	"fmt"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
)

// benchRequest is the shape `make bench-compare` offers: ten traces of ten
// spans, each span with four string attributes, under one resource.
func benchRequest(b *testing.B) []byte {
	ns := uint64(t0.UnixNano())
	scope := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: "lib"}}
	for t := range 10 {
		tid := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(t + 1)}
		for s := range 10 {
			sp := &tracepb.Span{TraceId: tid, SpanId: []byte{1, 1, 1, 1, 1, 1, byte(t + 1), byte(s + 1)},
				Name: fmt.Sprintf("op-%d", s), Kind: tracepb.Span_SPAN_KIND_INTERNAL,
				StartTimeUnixNano: ns + uint64(s)*1000, EndTimeUnixNano: ns + uint64(s)*1000 + 50_000}
			if s > 0 {
				sp.ParentSpanId = []byte{1, 1, 1, 1, 1, 1, byte(t + 1), 1}
			}
			for a := range 4 {
				sp.Attributes = append(sp.Attributes, str(fmt.Sprintf("attr.%d", a), fmt.Sprintf("value-%d", a)))
			}
			scope.Spans = append(scope.Spans, sp)
		}
	}
	raw, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: otlpwiretest.Resource(), ScopeSpans: []*tracepb.ScopeSpans{scope},
	}}})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkTracesEncoded is the receiver's work per request for the memory
// (heads) and otlp (no heads) stores; BenchmarkTracesProto the records the
// SQL stores get.
func BenchmarkTracesEncoded(b *testing.B) {
	raw := benchRequest(b)
	for _, heads := range []bool{true, false} {
		b.Run(fmt.Sprintf("heads=%v", heads), func(b *testing.B) {
			c := &convert.Converter{Sampler: sampler.New(1), Signals: all, Telemetry: sinkmetrics.New(), Heads: heads}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.TracesEncoded(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTracesProto(b *testing.B) {
	raw := benchRequest(b)
	c := &convert.Converter{Sampler: sampler.New(1), Signals: all, Telemetry: sinkmetrics.New()}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.TracesProto(raw); err != nil {
			b.Fatal(err)
		}
	}
}
