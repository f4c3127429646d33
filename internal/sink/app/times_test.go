package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// A time of 2^64-1 ns (valid OTLP: an unsigned 64-bit field) is past what
// the sink keeps, and would have wrapped to a time before 1970: it is
// refused with 400 / INVALID_ARGUMENT naming the field, on every path, and
// the sink keeps serving.
func TestATimePastWhatTheSinkKeepsIsRefusedNamingTheField(t *testing.T) {
	const past = 1<<64 - 1
	span := traceRequest(500, 1)
	span.ResourceSpans[0].ScopeSpans[0].Spans[0].EndTimeUnixNano = past
	logs := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{{ObservedTimeUnixNano: past}}}}}}}
	points := &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "m",
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{TimeUnixNano: past}}}}}}}}}}}
	for _, b := range backends[:2] { // memory takes traces encoded, sqlite as records
		t.Run(b.name, func(t *testing.T) {
			a := startSink(t, testConfig(nil), b.open(t))
			for _, tc := range []struct {
				path, field string
				req         proto.Message
			}{
				{"/v1/traces", "Span.end_time_unix_nano", span},
				{"/v1/logs", "LogRecord.observed_time_unix_nano", logs},
				{"/v1/metrics", "NumberDataPoint.time_unix_nano", points},
			} {
				for _, ct := range []string{"application/x-protobuf", "application/json"} {
					code, msg := postRaw(t, a.Addrs().HTTP, tc.path, ct, tc.req)
					if code != http.StatusBadRequest || !strings.Contains(msg, tc.field) {
						t.Errorf("%s %s: %d %q, want 400 naming %s", tc.path, ct, code, msg, tc.field)
					}
				}
			}
			conn, err := grpc.NewClient(a.Addrs().GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = colmetricspb.NewMetricsServiceClient(conn).Export(ctx, points)
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "NumberDataPoint.time_unix_nano") {
				t.Errorf("gRPC metrics: %v, want INVALID_ARGUMENT naming the field", err)
			}
			exportHTTP(t, a, traceRequest(501, 1)) // and it keeps serving
		})
	}
}

// postRaw posts an OTLP request in the content type and returns the status
// and the body.
func postRaw(t *testing.T, addr, path, contentType string, m proto.Message) (int, string) {
	t.Helper()
	body := marshal(t, m)
	if contentType == "application/json" {
		body = jsonBytes(t, m)
	}
	resp, err := http.Post("http://"+addr+path, contentType, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
