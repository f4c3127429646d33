package loadgen

import (
	"bytes"
	"testing"

	collectormetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Each request carries ids of its own, as TraceID names them, parents that
// point at their trace's root, and spans that start after those of the
// request before.
func TestRequestsHaveTheirOwnIdsAndLaterTimes(t *testing.T) {
	tmpl, err := TraceTemplate(Shape{Traces: 3, SpansPerTrace: 4, Attributes: 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var lastEnd uint64
	for n := range uint64(3) {
		var req collectortrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(tmpl.Request(n, nil), &req); err != nil {
			t.Fatal(err)
		}
		spans := req.ResourceSpans[0].ScopeSpans[0].Spans
		if len(spans) != 12 {
			t.Fatalf("request %d: %d spans, want 12", n, len(spans))
		}
		for k, sp := range spans {
			want := TraceID(n, k/4)
			if !bytes.Equal(sp.TraceId, want[:]) {
				t.Errorf("request %d span %d: trace id %x, want %x", n, k, sp.TraceId, want)
			}
			if seen[string(sp.SpanId)] {
				t.Errorf("request %d span %d: span id %x seen before", n, k, sp.SpanId)
			}
			seen[string(sp.SpanId)] = true
			if root := spans[k/4*4].SpanId; k%4 != 0 && !bytes.Equal(sp.ParentSpanId, root) {
				t.Errorf("request %d span %d: parent %x, want the root %x", n, k, sp.ParentSpanId, root)
			}
			if want := tmpl.base + n*requestStep + uint64(k)*spanStep; sp.StartTimeUnixNano != want ||
				sp.EndTimeUnixNano != want+spanLength {
				t.Errorf("request %d span %d: %d-%d, want %d-%d", n, k, sp.StartTimeUnixNano, sp.EndTimeUnixNano, want, want+spanLength)
			}
			if k == 0 && sp.StartTimeUnixNano <= lastEnd-spanLength && n > 0 {
				t.Errorf("request %d starts at %d, not after request %d's spans", n, sp.StartTimeUnixNano, n-1)
			}
			lastEnd = sp.EndTimeUnixNano
		}
	}
}

// Metric points come in time order across requests, as an exporter sends
// a series.
func TestMetricsRequestsRunForwardInTime(t *testing.T) {
	var last uint64
	for n := range uint64(3) {
		b, err := MetricsRequest("m", 50, n)
		if err != nil {
			t.Fatal(err)
		}
		var req collectormetrics.ExportMetricsServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Fatal(err)
		}
		for i, p := range req.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].GetGauge().DataPoints {
			if p.TimeUnixNano <= last {
				t.Fatalf("request %d point %d at %d, not after %d", n, i, p.TimeUnixNano, last)
			}
			last = p.TimeUnixNano
		}
	}
}
