package main

import (
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// The fault tests of issue 20, "Nothing acknowledged is ever lost": under
// load, a fault strikes at a random moment several times, and afterwards
// every trace whose export the sink acknowledged must be in the store.
// TELEMETRY_TEST_CRASH_SEED repeats a run's random delays.
const seedEnv = "TELEMETRY_TEST_CRASH_SEED"

// faults is how many times each test strikes; -short strikes twice.
func faults() int {
	if testing.Short() {
		return 2
	}
	return 5
}

// A fault strikes between minDelay and maxDelay after the sink has
// acknowledged its first request since the last one.
const (
	minDelay = 300 * time.Millisecond
	maxDelay = 2 * time.Second
)

// A SIGKILL (the OOM killer, a node failure) gives the sink no chance to
// write what it holds: whatever it acknowledged must already be committed.
func TestSIGKILLLosesNoAcknowledgedTrace(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		cfg := sinkConfig(config.TypeSQLite)
		cfg.SQLite = &config.SQLite{Path: filepath.Join(t.TempDir(), "telemetry.db")}
		sink := startSink(t, cfg)
		strikeUnderLoad(t, sink, seededRand(t), "kill", sink.kill, sink.start)
	})
	t.Run("postgresql", func(t *testing.T) {
		// The server outlives the sink, so its commits need not be durable.
		url := pgtest.New(t).NewDatabase(t)
		sink := startSink(t, sinkConfig(config.TypePostgreSQL), config.EnvPostgreSQLURL+"="+url)
		strikeUnderLoad(t, sink, seededRand(t), "kill", sink.kill, sink.start)
	})
}

// A crash of PostgreSQL (an immediate shutdown: no checkpoint, clients cut
// off) fails the sink's writes until the server is back; the sink keeps
// running and must still store every trace it acknowledged.
func TestPostgreSQLCrashLosesNoAcknowledgedTrace(t *testing.T) {
	srv := pgtest.NewDurable(t) // What it committed survives its crash.
	sink := startSink(t, sinkConfig(config.TypePostgreSQL), config.EnvPostgreSQLURL+"="+srv.NewDatabase(t))
	rng := seededRand(t)
	crash := func() {
		if err := srv.Crash(); err != nil {
			t.Fatal(err)
		}
	}
	restart := func() {
		time.Sleep(randomDelay(rng, 100*time.Millisecond, time.Second)) // The outage.
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
	}
	strikeUnderLoad(t, sink, rng, "crash", crash, restart)
	if writeErrors(t, sink) == 0 {
		t.Error("no store write failed: the crashes never struck the sink's writes, so the test proved nothing")
	}
}

// writeErrors is the sink's count of failed store writes.
func writeErrors(t *testing.T, sink *sinkProcess) float64 {
	t.Helper()
	resp, err := http.Get(sink.queryURL("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, m := range families["sink_store_write_errors_total"].GetMetric() {
		n += m.GetCounter().GetValue()
	}
	return n
}

// sinkConfig is a sink of the given type that writes small batches often,
// as one under steady load does.
func sinkConfig(typ string) config.Config {
	cfg := config.Config{Type: typ, Buffer: config.Buffer{Size: 100, ExportInterval: config.Duration{Duration: 200 * time.Millisecond}}}
	if typ == config.TypePostgreSQL {
		cfg.PostgreSQL = &config.PostgreSQL{}
	}
	return cfg
}

// strikeUnderLoad sends load to the sink and, faults() times at moments
// drawn from rng, strikes and repairs; then it stops the load and checks
// that the sink holds every trace it acknowledged.
func strikeUnderLoad(t *testing.T, sink *sinkProcess, rng *rand.Rand, fault string, strike, repair func()) {
	t.Helper()
	l := startLoad(t, sink.cfg.Server.GRPCAddr)
	for range faults() {
		l.waitAcked(t)
		time.Sleep(randomDelay(rng, minDelay, maxDelay))
		strike()
		l.nextPeriod()
		repair()
	}
	l.waitAcked(t)
	time.Sleep(randomDelay(rng, minDelay, maxDelay))
	checkLedger(t, sink, fault, l.stop())
}

// seededRand is a random source whose seed the test logs, taken from
// TELEMETRY_TEST_CRASH_SEED when set, so that a failing run's delays can
// be repeated.
func seededRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(seedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", seedEnv, err)
		}
	}
	t.Logf("random seed %d (%s=%d repeats it)", seed, seedEnv, seed)
	return rand.New(rand.NewPCG(seed, seed))
}

func randomDelay(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}
