package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// backends open each queryable store for the end-to-end tests.
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memory", func(*testing.T) store.Store { return memory.New(config.Memory{}) }},
	{"sqlite", func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), t.TempDir()+"/telemetry.db", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgresql", func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// testConfig is a memory sink on free local ports that flushes quickly.
func testConfig(edit func(*config.Config)) *config.Config {
	cfg := &config.Config{Type: config.TypeMemory}
	cfg.Server = config.Server{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", QueryAddr: "127.0.0.1:0"}
	cfg.Buffer.Size = 50
	cfg.Buffer.ExportInterval.Duration = 20 * time.Millisecond
	if edit != nil {
		edit(cfg)
	}
	cfg.Default()
	return cfg
}

// startSinkB runs a memory sink for a benchmark.
func startSinkB(b *testing.B, cfg *config.Config) *app.App {
	b.Helper()
	a := app.New(cfg, memory.New(config.Memory{MaxTraces: 1 << 20}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := a.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return a
}

// startSink runs a sink over st and shuts it down when the test ends.
func startSink(t *testing.T, cfg *config.Config, st store.Store) *app.App {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := app.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return a
}

// getJSON fetches a query API path and decodes the answer, returning the
// status code.
func getJSON(t *testing.T, a *app.App, path string, out any) int {
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
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type traceList struct {
	Traces []store.Trace `json:"traces"`
}

type spanList struct {
	Spans []store.Span `json:"spans"`
}

type eventList struct {
	Events []store.Event `json:"events"`
}

type metricList struct {
	Metrics []store.Metric `json:"metrics"`
}

type bucketList struct {
	Buckets []store.Aggregate `json:"buckets"`
}

func countSpans(t *testing.T, a *app.App, traceID string) int {
	var spans spanList
	getJSON(t, a, fmt.Sprintf("/api/v1/spans?traceId=%s&limit=1000", traceID), &spans)
	return len(spans.Spans)
}

func metricOpt() metric.MeasurementOption {
	return metric.WithAttributes(attribute.String("route", "/pay"))
}
