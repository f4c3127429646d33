package app_test

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// traceRequest builds one trace of n spans whose trace id's low half is
// seq, so that tests choose the ids and sampling decisions are reproducible.
func traceRequest(seq uint64, n int) *coltracepb.ExportTraceServiceRequest {
	tid := make([]byte, 16)
	binary.BigEndian.PutUint64(tid[:8], seq)
	binary.BigEndian.PutUint64(tid[8:], seq*0x9E3779B97F4A7C15) // Spread over the id space.
	start := uint64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	spans := make([]*tracepb.Span, 0, n)
	for i := range n {
		sid := make([]byte, 8)
		binary.BigEndian.PutUint64(sid, seq<<8|uint64(i+1))
		sp := &tracepb.Span{TraceId: tid, SpanId: sid, Name: "op", StartTimeUnixNano: start, EndTimeUnixNano: start + 1000}
		if i > 0 {
			sp.ParentSpanId = spans[0].SpanId
		}
		spans = append(spans, sp)
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}},
	}}}
}

// postTrace sends one trace over OTLP/HTTP protobuf and requires a 200.
func postTrace(t *testing.T, base string, seq uint64, n int) {
	t.Helper()
	if code := postOTLP(t, base, traceRequest(seq, n)); code != http.StatusOK {
		t.Fatalf("POST trace %d: %d", seq, code)
	}
}

// postOTLP sends an OTLP/HTTP protobuf request to the path of its signal.
func postOTLP(t *testing.T, base string, req proto.Message) int {
	t.Helper()
	body, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/traces"
	switch req.(type) {
	case *colmetricpb.ExportMetricsServiceRequest:
		path = "/v1/metrics"
	case *collogspb.ExportLogsServiceRequest:
		path = "/v1/logs"
	}
	resp, err := http.Post(base+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func httpGetStatus(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func jsonBody(t *testing.T, m proto.Message) *bytes.Reader {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
