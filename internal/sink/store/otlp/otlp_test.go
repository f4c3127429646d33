package otlp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/otlp"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// downstream starts a second, real sink on the memory store: what the otlp
// store forwards to, and what the test queries.
func downstream(t *testing.T) *app.App {
	t.Helper()
	cfg := &config.Config{Type: config.TypeMemory, Server: config.Server{
		GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", QueryAddr: "127.0.0.1:0"}}
	cfg.Buffer.Size = 1
	cfg.Buffer.ExportInterval.Duration = 10 * time.Millisecond
	cfg.Default()
	a := app.New(cfg, memory.New(*cfg.Memory), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return a
}

func open(t *testing.T, opt otlp.Options) *otlp.Store {
	t.Helper()
	s, err := otlp.New(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformanceAsAnExportOnlyStore(t *testing.T) {
	sink := downstream(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, otlp.Options{Endpoint: "http://" + sink.Addrs().GRPC})
	})
}

var (
	t0    = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	res   = store.Attributes{"service.name": "shop", "cluster": "c1"}
	batch = &store.Batch{
		Spans: []store.Span{
			{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Name: "GET /cart", Kind: "server",
				StartTime: t0, EndTime: t0.Add(2 * time.Second), Duration: 2, Status: store.SpanStatusError,
				StatusMessage: "boom", Scope: "shop/http", Attributes: store.Attributes{"http.status": int64(500)}, Resource: res},
			{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "c7ad6b7169203331", ParentSpanID: "b7ad6b7169203331",
				Name: "db", Kind: "client", StartTime: t0, EndTime: t0.Add(time.Second), Duration: 1,
				Status: store.SpanStatusOK, Scope: "shop/db", Resource: res},
		},
		Events: []store.Event{
			{EventID: "e1", TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Type: store.EventTypeSpan,
				Name: "retry", Timestamp: t0, Attributes: store.Attributes{"attempt": int64(2)}, Resource: res},
			{EventID: "e2", Type: "audit", Name: "login", Timestamp: t0.Add(time.Second), Resource: res},
		},
		Metrics: []store.Metric{
			{MetricID: "m1", Name: "orders", Value: 7, AggregationType: store.AggregationSum, Timestamp: t0, Resource: res,
				Attributes: store.Attributes{"route": "/pay"}},
			{MetricID: "m2", Name: "temp", Unit: "C", Value: 21.5, AggregationType: store.AggregationGauge, Timestamp: t0, Resource: res},
			{MetricID: "m3", Name: "latency", Value: 6, AggregationType: store.AggregationHistogram, Timestamp: t0, Resource: res,
				Attributes: store.Attributes{"count": int64(3), "min": 1.0, "max": 3.0}},
			{MetricID: "m4", Name: "q", Value: 10, AggregationType: store.AggregationSummary, Timestamp: t0, Resource: res,
				Attributes: store.Attributes{"count": int64(4)}},
		},
	}
)

func TestForwardsEverySignalIntoASecondSink(t *testing.T) {
	for _, protocol := range []string{otlp.ProtocolGRPC, otlp.ProtocolHTTP} {
		t.Run(protocol, func(t *testing.T) {
			sink := downstream(t)
			addr := sink.Addrs().GRPC
			if protocol == otlp.ProtocolHTTP {
				addr = sink.Addrs().HTTP
			}
			s := open(t, otlp.Options{Endpoint: "http://" + addr, Protocol: protocol, Timeout: 5 * time.Second})
			if err := s.Write(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			var got struct{ Spans []store.Span }
			var events struct{ Events []store.Event }
			var metrics struct{ Metrics []store.Metric }
			eventually(t, func() bool {
				query(t, sink, "/api/v1/spans", &got)
				query(t, sink, "/api/v1/events", &events)
				query(t, sink, "/api/v1/metrics", &metrics)
				return len(got.Spans) == 2 && len(events.Events) == 2 && len(metrics.Metrics) == 4
			})
			if diff := cmp.Diff(viaJSON(t, batch.Spans), got.Spans, sortSpans); diff != "" {
				t.Errorf("spans (-sent +received):\n%s", diff)
			}
			// The event type travels as the "event.type" attribute.
			wantEvents := viaJSON(t, batch.Events)
			wantEvents[0].Attributes["event.type"] = store.EventTypeSpan
			wantEvents[1].Attributes = store.Attributes{"event.type": "audit"}
			if diff := cmp.Diff(wantEvents, events.Events, sortEvents, cmpopts.IgnoreFields(store.Event{}, "EventID")); diff != "" {
				t.Errorf("events (-sent +received):\n%s", diff)
			}
			if diff := cmp.Diff(viaJSON(t, batch.Metrics), metrics.Metrics, sortMetrics, cmpopts.IgnoreFields(store.Metric{}, "MetricID")); diff != "" {
				t.Errorf("metrics (-sent +received):\n%s", diff)
			}
		})
	}
}

func TestSendsTheConfiguredHeaders(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.Header.Get("X-Api-Key"):
		default:
		}
		body, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	s := open(t, otlp.Options{Endpoint: srv.URL, Protocol: otlp.ProtocolHTTP, Headers: map[string]string{"x-api-key": "secret"}})
	if err := s.Write(context.Background(), &store.Batch{Spans: batch.Spans}); err != nil {
		t.Fatal(err)
	}
	if key := <-got; key != "secret" {
		t.Fatalf("endpoint saw X-Api-Key %q, want secret", key)
	}
}

func TestAnUnreachableEndpointFailsTheWriteSoThePipelineRetries(t *testing.T) {
	s := open(t, otlp.Options{Endpoint: "http://127.0.0.1:1", Protocol: otlp.ProtocolHTTP, Timeout: 300 * time.Millisecond})
	err := s.Write(context.Background(), &store.Batch{Spans: batch.Spans})
	if err == nil || errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Write to a closed port = %v, want a retryable error", err)
	}
}

var (
	sortSpans   = cmpopts.SortSlices(func(a, b store.Span) bool { return a.SpanID < b.SpanID })
	sortEvents  = cmpopts.SortSlices(func(a, b store.Event) bool { return a.Name < b.Name })
	sortMetrics = cmpopts.SortSlices(func(a, b store.Metric) bool { return a.Name < b.Name })
)

func query(t *testing.T, a *app.App, path string, out any) {
	t.Helper()
	resp, err := http.Get("http://" + a.Addrs().Query + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the forwarded records")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// viaJSON is what the query API gives back for v: JSON decoding turns every
// attribute number into float64.
func viaJSON[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
