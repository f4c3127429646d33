package app_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// The otlp backend forwards requests in gRPC's own receive buffers (see
// rawMessage.borrow). Many requests at once, each queued before it is
// forwarded, must arrive downstream exactly as sent: no buffer may be
// reused while a request still lives in it.
func TestRequestsTakenFromGRPCBuffersArriveIntact(t *testing.T) {
	downstream := startSink(t, testConfig(nil), memory.New(config.Memory{}))
	cfg := testConfig(func(c *config.Config) {
		c.Type = config.TypeOTLP
		c.OTLP = &config.OTLP{Endpoint: "http://" + downstream.Addrs().GRPC}
	})
	st, err := app.OpenStore(context.Background(), cfg, app.Env{Getenv: func(string) string { return "" },
		Environ: func() []string { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	forwarder := startSink(t, cfg, st)
	conn, err := grpc.NewClient(forwarder.Addrs().GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	client := coltracepb.NewTraceServiceClient(conn)

	const senders, perSender = 8, 40
	spansOf := func(seq uint64) int { return 1 + int(seq%60) } // 1 to 60 spans: one frame each
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for w := range senders {
		wg.Go(func() {
			for i := range perSender {
				seq := uint64(1000 + w*perSender + i)
				req := traceRequest(seq, spansOf(seq))
				for j, sp := range req.ResourceSpans[0].ScopeSpans[0].Spans {
					sp.Name = fmt.Sprintf("op-%d-%d", seq, j)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := client.Export(ctx, req)
				cancel()
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := range senders {
		for i := range perSender {
			seq := uint64(1000 + w*perSender + i)
			traceID := hex.EncodeToString(traceRequest(seq, 1).ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId)
			eventually(t, "trace "+traceID, func() bool { return countSpans(t, downstream, traceID) == spansOf(seq) })
			var spans spanList
			getJSON(t, downstream, fmt.Sprintf("/api/v1/spans?traceId=%s&limit=1000", traceID), &spans)
			names := map[string]bool{}
			for _, sp := range spans.Spans {
				names[sp.Name] = true
			}
			for j := range spansOf(seq) {
				if want := fmt.Sprintf("op-%d-%d", seq, j); !names[want] {
					t.Fatalf("trace %s: no span %s among %v", traceID, want, names)
				}
			}
		}
	}
}
