package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// get returns the status and body of a GET on the query port.
func get(t *testing.T, a *app.App, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + a.Addrs().Query + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestBadQueryParametersAnswer400NamingTheParameter(t *testing.T) {
	a := startSink(t, testConfig(nil), memory.New(config.Memory{}))
	for _, tc := range []struct{ path, names string }{
		{"/api/v1/traces?limit=abc", `"limit"`},
		{"/api/v1/traces?from=yesterday", `"from"`},
		{"/api/v1/traces?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", `"to"`},
		{"/api/v1/traces?status=weird", `"status"`},
		{"/api/v1/traces?bogus=1", `"bogus"`},
		{"/api/v1/traces/not-a-trace-id", `"traceId"`},
		{"/api/v1/spans?traceId=xyz", `"traceId"`},
		{"/api/v1/events?attr.x=1", `"attr.x"`},
		{"/api/v1/metrics?limit=-3", `"limit"`},
		{"/api/v1/metrics/aggregate", `"name"`},
		{"/api/v1/metrics/aggregate?name=m&step=-1s", `"step"`},
		{"/api/v1/metrics/aggregate?name=m&step=1500ns", `"step"`},
		{"/api/v1/metrics/aggregate?name=m&step=9223372037", `"step"`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(t, a, tc.path)
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != http.StatusBadRequest || !strings.Contains(e.Error, tc.names) {
				t.Fatalf("answered %d %s; want 400 with a JSON error naming %s", code, body, tc.names)
			}
		})
	}
}

func TestQueriesOfUnknownAndEmptyDataAnswerCleanly(t *testing.T) {
	a := startSink(t, testConfig(nil), memory.New(config.Memory{}))
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/api/v1/traces/0af7651916cd43dd8448eb211c80319c", http.StatusNotFound, `"error"`},
		{"/api/v1/traces?from=1767225600000000000&attr.service.name=x", http.StatusOK, `{"traces":[]}`},
		{"/api/v1/metrics/aggregate?name=m&step=60", http.StatusOK, `{"buckets":[]}`},
		{"/healthz", http.StatusOK, "ok"},
		{"/readyz", http.StatusOK, "ok"},
		{"/metrics", http.StatusOK, "sink_queue_records"},
	} {
		code, body := get(t, a, tc.path)
		if code != tc.code || !strings.Contains(body, tc.body) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, code, body, tc.code, tc.body)
		}
	}
}

func TestTheOTLPBackendForwardsAndAnswersQueriesWith501(t *testing.T) {
	downstream := startSink(t, testConfig(nil), memory.New(config.Memory{}))
	cfg := testConfig(func(c *config.Config) {
		c.Type = config.TypeOTLP
		c.OTLP = &config.OTLP{Endpoint: "http://" + downstream.Addrs().GRPC}
	})
	st, err := app.OpenStore(context.Background(), cfg, app.Env{Getenv: func(string) string { return "" },
		Environ: func() []string { return []string{config.EnvOTLPHeaderPrefix + "x-team=blue"} }})
	if err != nil {
		t.Fatal(err)
	}
	forwarder := startSink(t, cfg, st)
	for _, path := range []string{"/api/v1/traces", "/api/v1/traces/0af7651916cd43dd8448eb211c80319c", "/api/v1/spans",
		"/api/v1/events", "/api/v1/metrics", "/api/v1/metrics/aggregate?name=m"} {
		code, body := get(t, forwarder, path)
		if code != http.StatusNotImplemented || !strings.Contains(body, "export-only backend") {
			t.Errorf("GET %s on the otlp backend = %d %s, want 501 saying export-only backend", path, code, body)
		}
	}
	traceID := sendWithSDK(t, forwarder, "http")
	eventually(t, "the trace forwarded to the downstream sink", func() bool { return countSpans(t, downstream, traceID) == 2 })
	// Events and metric points travel in their own exports (log and metric
	// exporters), which may land after the spans.
	stored := downstream.Metrics().Stored
	eventually(t, "the event and the metric points forwarded", func() bool {
		return testutil.ToFloat64(stored.WithLabelValues(sinkmetrics.SignalEvents)) >= 1 &&
			testutil.ToFloat64(stored.WithLabelValues(sinkmetrics.SignalMetrics)) >= 3
	})
	checkEvents(t, downstream, traceID)
	checkMetrics(t, downstream, "http")
}

// TestAnswersSayHowLongTheStoreTook: every query answer, an empty or a
// failed one included, carries the store's time as Server-Timing, so that a
// client can tell a slow store from a slow round trip.
func TestAnswersSayHowLongTheStoreTook(t *testing.T) {
	a := startSink(t, testConfig(nil), memory.New(config.Memory{}))
	for _, path := range []string{"/api/v1/traces?limit=10", "/api/v1/traces/0af7651916cd43dd8448eb211c80319c",
		"/api/v1/spans", "/api/v1/events", "/api/v1/metrics", "/api/v1/metrics/aggregate?name=m"} {
		resp, err := http.Get("http://" + a.Addrs().Query + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		st := resp.Header.Get("Server-Timing")
		ms, err := strconv.ParseFloat(strings.TrimPrefix(st, "store;dur="), 64)
		if !strings.HasPrefix(st, "store;dur=") || err != nil || ms < 0 {
			t.Errorf("GET %s (%d): Server-Timing %q, want store;dur=<milliseconds>", path, resp.StatusCode, st)
		}
	}
}
