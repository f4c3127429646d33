package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// exportGRPC sends a trace request over OTLP/gRPC with the official client
// stub and returns the sink's answer.
func exportGRPC(t *testing.T, a *app.App, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	t.Helper()
	conn, err := grpc.NewClient(a.Addrs().GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return coltracepb.NewTraceServiceClient(conn).Export(ctx, req)
}

// exportHTTP sends a trace request over OTLP/HTTP protobuf and decodes the
// sink's answer, which must be a 200.
func exportHTTP(t *testing.T, a *app.App, req *coltracepb.ExportTraceServiceRequest) *coltracepb.ExportTraceServiceResponse {
	t.Helper()
	body, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+a.Addrs().HTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/traces: %d %s", resp.StatusCode, raw)
	}
	out := &coltracepb.ExportTraceServiceResponse{}
	if err := proto.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// withSpan appends a span named name with the given ids to the request's
// first scope.
func withSpan(req *coltracepb.ExportTraceServiceRequest, traceID, spanID []byte, name string) *coltracepb.ExportTraceServiceRequest {
	ss := req.ResourceSpans[0].ScopeSpans[0]
	ss.Spans = append(ss.Spans, &tracepb.Span{TraceId: traceID, SpanId: spanID, Name: name,
		StartTimeUnixNano: ss.Spans[0].StartTimeUnixNano, EndTimeUnixNano: ss.Spans[0].EndTimeUnixNano})
	return req
}

// With acknowledge: stored, an export is answered once its records are
// stored: they are queryable the moment the answer arrives, although the
// export interval (an hour here) never flushed them.
func TestAStoredAcknowledgementMeansTheTraceIsQueryable(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			cfg := testConfig(func(c *config.Config) {
				c.Buffer.ExportInterval.Duration = time.Hour
				c.Buffer.Acknowledge = config.AckStored
			})
			a := startSink(t, cfg, b.open(t))
			for seq := uint64(1); seq <= 20; seq++ {
				req := traceRequest(seq, 3)
				if seq%2 == 0 {
					exportHTTP(t, a, req)
				} else if _, err := exportGRPC(t, a, req); err != nil {
					t.Fatal(err)
				}
				id := fmt.Sprintf("%x", req.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId)
				if n := countSpans(t, a, id); n != 3 {
					t.Fatalf("trace %d acknowledged with %d of its 3 spans stored", seq, n)
				}
			}
		})
	}
}

// Spans the sink cannot keep (an all-zero or missing trace id) are counted
// in OTLP's partial success, never answered with a plain success; the
// request's other spans are stored.
func TestInvalidSpansAreReportedAsPartialSuccess(t *testing.T) {
	for _, ack := range []string{config.AckStored, config.AckReceived} {
		t.Run(ack, func(t *testing.T) {
			a := startSink(t, testConfig(func(c *config.Config) { c.Buffer.Acknowledge = ack }), backends[0].open(t))
			for i, export := range []func(*coltracepb.ExportTraceServiceRequest) *coltracepb.ExportTraceServiceResponse{
				func(r *coltracepb.ExportTraceServiceRequest) *coltracepb.ExportTraceServiceResponse {
					return exportHTTP(t, a, r)
				},
				func(r *coltracepb.ExportTraceServiceRequest) *coltracepb.ExportTraceServiceResponse {
					resp, err := exportGRPC(t, a, r)
					if err != nil {
						t.Fatal(err)
					}
					return resp
				},
			} {
				req := traceRequest(uint64(100+i), 2)
				req = withSpan(req, make([]byte, 16), []byte{1, 2, 3, 4, 5, 6, 7, 8}, "zero trace id")
				req = withSpan(req, nil, []byte{1, 2, 3, 4, 5, 6, 7, 9}, "no trace id")
				ps := export(req).GetPartialSuccess()
				if ps.GetRejectedSpans() != 2 || ps.GetErrorMessage() == "" {
					t.Fatalf("partial success %v, want 2 rejected spans and a message", ps)
				}
				id := fmt.Sprintf("%x", req.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId)
				eventually(t, "the valid spans", func() bool { return countSpans(t, a, id) == 2 })
			}
		})
	}
}

// A span PostgreSQL refuses for good (here a CHECK constraint the test
// adds) is refused alone: every other span of its batch is stored, other
// senders are told nothing, and its sender gets a partial success.
func TestAPermanentlyRefusedRecordIsRefusedAlone(t *testing.T) {
	url := pgtest.NewDatabase(t)
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(context.Background(), "ALTER TABLE spans ADD CONSTRAINT no_poison CHECK (name <> 'poison')"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(func(c *config.Config) {
		c.Type = config.TypePostgreSQL
		c.Memory = nil
		c.Buffer.Acknowledge = config.AckStored
	})
	a := startSink(t, cfg, st)
	results := make(chan *coltracepb.ExportTraceServiceResponse, 20)
	for seq := uint64(200); seq < 220; seq++ {
		go func() {
			req := traceRequest(seq, 3)
			if seq == 210 {
				req.ResourceSpans[0].ScopeSpans[0].Spans[2].Name = "poison"
			}
			resp, err := exportGRPC(t, a, req)
			if err != nil {
				t.Error(err)
			}
			results <- resp
		}()
	}
	rejected := 0
	for range 20 {
		rejected += int((<-results).GetPartialSuccess().GetRejectedSpans())
	}
	if rejected != 1 {
		t.Fatalf("%d spans reported rejected, want the 1 poisoned span", rejected)
	}
	var spans spanList
	getJSON(t, a, "/api/v1/spans?limit=1000", &spans)
	if len(spans.Spans) != 59 {
		t.Fatalf("%d spans stored, want all 60 but the poisoned one", len(spans.Spans))
	}
}
