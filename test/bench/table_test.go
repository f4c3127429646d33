//go:build bench

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestBenchTable is `make bench`: for each store it measures OTLP/gRPC
// ingest into a real sink process, then query latency with the store
// filled to BENCH_SPANS spans and BENCH_POINTS metric points, and prints
// one table. It measures; it asserts only that nothing was lost.
func TestBenchTable(t *testing.T) {
	p := params()
	binary := buildSink(t)
	var rows []row
	for _, kind := range p.stores {
		t.Run(kind, func(t *testing.T) {
			stat0, statErr := ReadCPUStat()
			r := benchStore(t, p, binary, kind)
			if stat1, err := ReadCPUStat(); err == nil && statErr == nil {
				r.steal = stat1.StealSince(stat0)
			}
			rows = append(rows, r)
			t.Logf("%s: %s", kind, r.ingestSummary())
		})
	}
	table := renderTable(p, rows) + renderLogTable(p, rows)
	fmt.Println(table)
	writeOut(t, table)
}

func buildSink(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sink")
	cmd := exec.Command("go", "build", "-o", out, "../../cmd/sink")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the sink: %v\n%s", err, b)
	}
	return out
}

// memoryMaxTraces is the memory store's bound here: ingest at full speed
// sends more, and the store keeps the newest.
const memoryMaxTraces = 250000

// batchRecords is the sink's batch size in every benchmark.
const batchRecords = 1000

// storeConfig is the sink configuration of each store, as a user would
// write it for throughput: batches of 1000 records. For postgresql it also
// returns the server it started.
func storeConfig(t *testing.T, kind, dir string, forwardTo string) (string, []string, *pgtest.Server) {
	head := fmt.Sprintf("buffer:\n  size: %d\n  exportInterval: 1s\n  maxQueue: 200000\n", batchRecords)
	if ack := os.Getenv("BENCH_ACKNOWLEDGE"); ack != "" { // the store's default otherwise
		head += "  acknowledge: " + ack + "\n"
	}
	switch kind {
	case "memory":
		return "type: memory\n" + head + fmt.Sprintf("memory:\n  maxTraces: %d\n  maxMetricPoints: 2000000\n", memoryMaxTraces), nil, nil
	case "sqlite":
		return "type: sqlite\n" + head + "sqlite:\n  path: " + filepath.Join(dir, "bench.db") + "\n", nil, nil
	case "postgresql":
		srv := pgtest.NewDurable(t)
		return "type: postgresql\n" + head + "postgresql: {}\n",
			[]string{"TELEMETRY_POSTGRESQL_URL=" + srv.NewDatabase(t) + "&max_size=8"}, srv
	case "otlp":
		return "type: otlp\n" + head + "otlp:\n  endpoint: http://" + forwardTo + "\n  insecure: true\n", nil, nil
	}
	t.Fatalf("unknown store %q", kind)
	return "", nil, nil
}

func benchStore(t *testing.T, p benchParams, binary, kind string) row {
	ctx := context.Background()
	r := row{store: kind}
	var forwardTo string
	if kind == "otlp" {
		// The otlp store forwards into a second, real sink.
		target, err := StartSink(ctx, binary, t.TempDir(), "type: memory\nmemory:\n  maxTraces: 250000\n", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = target.Stop() })
		forwardTo = target.GRPCAddr
	}
	dir := t.TempDir()
	cfg, env, _ := storeConfig(t, kind, dir, forwardTo)
	s, err := StartSink(ctx, binary, dir, cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping the sink: %v\n%s", err, s.Log())
		}
	}()
	r.ingest = measureIngest(t, p, s)
	if kind != "otlp" {
		r.logs = measureLogIngest(t, p, s)
		var retained uint64 // requests the store keeps; 0 for all
		if kind == "memory" {
			// A tenth less: the oldest requests kept may be partly evicted.
			retained = memoryMaxTraces / uint64(p.shape.Traces) * 9 / 10
		}
		r.queries = measureQueries(t, p, s, r.ingest, retained)
	}
	if rss, err := PeakRSSBytes(s.PID()); err == nil {
		r.peakRSS = rss
	}
	return r
}

type benchParams struct {
	stores   []string
	duration time.Duration
	workers  int
	spans    int
	points   int
	queries  int
	shape    loadgen.Shape
}

func params() benchParams {
	p := benchParams{
		stores:   strings.Split(envOr("BENCH_STORES", "memory,sqlite,postgresql,otlp"), ","),
		duration: envDuration("BENCH_DURATION", 10*time.Second),
		workers:  envInt("BENCH_WORKERS", 8),
		spans:    envInt("BENCH_SPANS", 1_000_000),
		points:   envInt("BENCH_POINTS", 1_000_000),
		queries:  envInt("BENCH_QUERIES", 200),
		shape:    loadgen.Shape{Traces: 10, SpansPerTrace: 10, Attributes: 10},
	}
	return p
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(envOr(name, fmt.Sprint(def)), &v); err != nil {
		return def
	}
	return v
}

func envDuration(name string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(envOr(name, def.String()))
	if err != nil {
		return def
	}
	return d
}

// envSet is the variable's value when it is set, even to nothing.
func envSet(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// split is a comma-separated list without its blanks.
func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// inTurn is s in odd rounds and s reversed in even ones: who goes first
// alternates, so that neither always gets the warmer machine.
func inTurn[T any](s []T, round int) []T {
	if round%2 == 1 {
		return s
	}
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
