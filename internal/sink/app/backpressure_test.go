package app_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// outage makes a store's writes fail and then recover.
type outage struct {
	store store.Store
	begin func(t *testing.T)
	end   func(t *testing.T)
}

// failingStore is a real memory store whose writes fail while down is set:
// the fault to inject, not a replacement for the store.
type failingStore struct {
	*memory.Store
	down atomic.Bool
}

func (s *failingStore) Write(ctx context.Context, b *store.Batch) error {
	if s.down.Load() {
		return errors.New("injected outage")
	}
	return s.Store.Write(ctx, b)
}

var outages = []struct {
	name string
	make func(t *testing.T) outage
}{
	{"memory", func(*testing.T) outage {
		s := &failingStore{Store: memory.New(config.Memory{})}
		return outage{s, func(*testing.T) { s.down.Store(true) }, func(*testing.T) { s.down.Store(false) }}
	}},
	{"postgresql", func(t *testing.T) outage {
		srv := pgtest.New(t)
		s, err := postgres.Open(context.Background(), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		stop := func(t *testing.T) {
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		start := func(t *testing.T) {
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
		}
		return outage{s, stop, start}
	}},
}

func TestAFailingStoreGetsRetryableRefusalsAndLosesNoAcknowledgedRecord(t *testing.T) {
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			out := o.make(t)
			a := startSink(t, testConfig(func(c *config.Config) {
				c.Buffer.Size, c.Buffer.MaxQueue = 10, 60
			}), out.store)
			// Load is flowing and stored when the store goes down.
			acked := 0
			for seq := uint64(1); seq <= 20; seq++ {
				// A healthy but busy store may push back too; retry as SDKs do.
				eventually(t, "trace accepted before the outage", func() bool {
					code := postOTLP(t, "http://"+a.Addrs().HTTP, traceRequest(seq, 5))
					if code != http.StatusOK && code != http.StatusTooManyRequests {
						t.Fatalf("trace %d before the outage answered %d", seq, code)
					}
					return code == http.StatusOK
				})
				acked += 5
			}
			m := a.Metrics()
			eventually(t, "the first spans stored", func() bool {
				return testutil.ToFloat64(m.Stored.WithLabelValues(sinkmetrics.SignalSpans)) == float64(acked)
			})
			out.begin(t)
			for seq := uint64(21); ; seq++ {
				code := postOTLP(t, "http://"+a.Addrs().HTTP, traceRequest(seq, 5))
				if code == http.StatusTooManyRequests {
					break
				}
				if code != http.StatusOK {
					t.Fatalf("trace %d answered %d, want 200 or 429", seq, code)
				}
				acked += 5
			}
			checkRetryAfter(t, a.Addrs().HTTP)
			checkGRPCRetryInfo(t, a.Addrs().GRPC)
			out.end(t)
			eventually(t, "every acknowledged span stored", func() bool {
				return testutil.ToFloat64(m.Stored.WithLabelValues(sinkmetrics.SignalSpans)) == float64(acked)
			})
			var spans spanList
			getJSON(t, a, "/api/v1/spans?limit=10000", &spans)
			if len(spans.Spans) != acked || testutil.ToFloat64(m.WriteErrors) == 0 {
				t.Fatalf("acknowledged %d spans, stored %d (write errors %v)", acked, len(spans.Spans), testutil.ToFloat64(m.WriteErrors))
			}
		})
	}
}

// checkRetryAfter asserts that a refused HTTP request says when to retry.
func checkRetryAfter(t *testing.T, addr string) {
	t.Helper()
	body := traceRequest(999999, 5)
	if code := postOTLP(t, "http://"+addr, body); code != http.StatusTooManyRequests {
		t.Fatalf("full queue answered %d, want 429", code)
	}
	resp, err := http.Post("http://"+addr+"/v1/traces", "application/json", jsonBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("full queue answered %d with Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// checkGRPCRetryInfo asserts that the SDK's gRPC client is refused with a
// retryable code that carries RetryInfo.
func checkGRPCRetryInfo(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := otlptracegrpc.NewClient(otlptracegrpc.WithEndpoint(addr), otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}))
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()
	err := client.UploadTraces(ctx, traceRequest(999998, 5).ResourceSpans)
	st, _ := status.FromError(errors.Unwrap(err))
	if st == nil {
		st, _ = status.FromError(err)
	}
	hasRetryInfo := false
	for _, d := range st.Details() {
		_, hasRetryInfo = d.(*errdetails.RetryInfo)
	}
	if st.Code() != codes.ResourceExhausted || !hasRetryInfo {
		t.Fatalf("full queue answered gRPC %v (retry info %v), want RESOURCE_EXHAUSTED with RetryInfo: %v", st.Code(), hasRetryInfo, err)
	}
}
