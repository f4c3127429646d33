package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

func noEnv() app.Env {
	return app.Env{Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sink.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadOptionsAndConfigurationStopTheSinkWithAMessageNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		args         []string
		code         int
		says         string
	}{
		{"unknown flag", "", []string{"--bogus"}, 2, "-bogus"},
		{"unknown field in the file", "type: memory\nbuffer:\n  sise: 3\n", nil, 1, `"sise"`},
		{"unknown backend", "type: redis\n", nil, 1, "type: must be one of"},
		{"invalid override", "type: memory\n", []string{"--sampling-rate", "1.5"}, 1, "sampling.rate"},
		{"several problems at once", "type: memory\nbuffer:\n  size: 10\n  maxQueue: 5\nserver:\n  maxMessageBytes: 10\n", nil, 1, "server.maxMessageBytes"},
		{"missing explicit file", "", []string{"--config", "/nonexistent/sink.yaml"}, 1, "/nonexistent/sink.yaml"},
		{"postgresql without its URL", "type: postgresql\n", nil, 1, "TELEMETRY_POSTGRESQL_URL"},
		{"bad log level", "type: memory\n", []string{"--log-level", "loud"}, 1, "--log-level"},
		{"stray argument", "type: memory\n", []string{"serve"}, 2, `unexpected argument "serve"`},
		{"migrate without stores", "", []string{"migrate"}, 2, "--from and --to are required"},
		{"migrate from an unknown URL", "", []string{"migrate", "--from", "redis://x", "--to", "memory:"}, 1, "--from: store URL must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.config != "" {
				args = append([]string{"--config", writeConfig(t, tc.config)}, args...)
			}
			var stderr bytes.Buffer
			code := app.Main(context.Background(), args, noEnv(), &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.says) {
				t.Fatalf("exit %d with %q; want exit %d saying %q", code, stderr.String(), tc.code, tc.says)
			}
		})
	}
}

func TestHelpDocumentsEveryFlagAndConfigurationField(t *testing.T) {
	var stderr bytes.Buffer
	if code := app.Main(context.Background(), []string{"--help"}, noEnv(), &stderr); code != 0 {
		t.Fatalf("--help exit code %d", code)
	}
	for _, want := range []string{"-config", "-type", "-sampling-rate", "-grpc-addr", "-http-addr", "-query-addr",
		"-sqlite-path", "-otlp-endpoint", "-otlp-protocol", "-otlp-insecure", "-log-level", "sink migrate",
		"buffer.maxQueue", "retention.maxAge", "TELEMETRY_POSTGRESQL_URL", "TELEMETRY_OTLP_HEADER_"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
}

// freeAddr reserves a free local port and releases it for the sink to take.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestTerminationStoresEveryAcceptedRecordBeforeExit(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "telemetry.db")
	httpAddr, queryAddr := freeAddr(t), freeAddr(t)
	// A long interval and a large buffer: nothing is flushed before the
	// shutdown, so only the shutdown's flush can store the records.
	cfgPath := writeConfig(t, fmt.Sprintf("type: sqlite\nsqlite:\n  path: %s\nbuffer:\n  size: 100000\n  exportInterval: 1h\n"+
		"server:\n  grpcAddr: %s\n  httpAddr: %s\n  queryAddr: %s\n", dbPath, freeAddr(t), httpAddr, queryAddr))
	ctx, terminate := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { exit <- app.Main(ctx, []string{"--config", cfgPath}, noEnv(), &stderr) }()
	eventually(t, "the sink to be ready", func() bool { return httpGetStatus("http://"+queryAddr+"/readyz") == 200 })

	const traces = 200
	for i := range traces {
		postTrace(t, "http://"+httpAddr, uint64(i+1), 3)
	}
	terminate()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("sink exited %d: %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("sink did not exit after termination")
	}
	st, err := sqlite.Open(context.Background(), dbPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	spans, err := st.QuerySpans(context.Background(), store.SpanQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != traces*3 {
		t.Fatalf("stored %d spans after termination, acknowledged %d", len(spans), traces*3)
	}
}
