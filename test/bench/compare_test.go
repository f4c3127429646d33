//go:build bench && benchcompare

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// TestBenchCompare is `make bench-compare`: the OpenTelemetry Collector
// and the sink, each in its own process pinned to the same CPUs, take the
// same loads in alternating rounds: telemetrygen at a fixed rate, then
// saturation by loadgen over OTLP/gRPC and OTLP/HTTP. Every figure counts
// what the receiver accepted, never what a generator claims to have sent.
// It prints one table; it fails only when a run could not be measured.
func TestBenchCompare(t *testing.T) {
	c := compareParams()
	stat0, statErr := ReadCPUStat()
	var runs []run
	var failed []string
	// Each run is a subtest, so that one subject failing (a crash, a loss
	// of data the drain never recovers) still leaves the others' table.
	// A run during which the hypervisor stole more than c.maxSteal of the
	// machine's CPU is measured again, up to c.stealRetries times, and the
	// least disturbed of the tries is kept: on a shared machine a neighbour
	// slows both the subject and its load, and one disturbed round moved a
	// ratio by a third (memory over gRPC: 1.75x beside 2.51x in a quiet
	// round, 2026-12-03). Every subject gets the same rule.
	measureOne := func(sys subject, load string, round int) {
		var kept *run
		for try := 0; try <= c.stealRetries; try++ {
			name := fmt.Sprintf("%s-%s-%d", sys.name(), load, round)
			if try > 0 {
				name += fmt.Sprintf("-again%d", try)
			}
			var r run
			if !t.Run(name, func(t *testing.T) {
				r = measure(t, c, sys, load, round)
				t.Logf("%s: %s", name, r.summary())
			}) {
				failed = append(failed, name)
				if kept != nil { // A repeat failed: the table keeps the try that did not.
					runs = append(runs, *kept)
				}
				return
			}
			if kept == nil || r.steal < kept.steal {
				kept = &r
			}
			kept.tries = try + 1
			if r.steal <= c.maxSteal {
				break
			}
			if try < c.stealRetries {
				t.Logf("%s: CPU steal %.1f%% > %.1f%%: measuring again", name, 100*r.steal, 100*c.maxSteal)
			}
		}
		runs = append(runs, *kept)
	}
	for round := 1; round <= c.rounds; round++ {
		for _, l := range c.loads {
			for _, sys := range inTurn(c.pairs, round) {
				if sys.system == floorSystem && l == "http" {
					continue // The floor serves OTLP/gRPC only.
				}
				measureOne(sys, l, round)
			}
		}
		// Durable stores, against the reference: a run per round too, since
		// one run of them moved by a fifth from one make bench-compare to
		// the next; in each acknowledge mode asked for, alternating which
		// goes first.
		for _, store := range c.dbStores {
			for _, mode := range inTurn(c.ackModes, round) {
				measureOne(subject{system: "sink", store: store, ack: mode}, "grpc", round)
			}
		}
	}
	if stat1, err := ReadCPUStat(); err == nil && statErr == nil {
		c.steal = stat1.StealSince(stat0)
	} else {
		c.steal = -1
	}
	table := renderCompare(c, runs, failed)
	fmt.Println(table)
	if out := os.Getenv("BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// subject is one system under test: the collector with an exporter, or
// the sink with a store, and for a durable store its buffer.acknowledge
// ("" for the store's default).
type subject struct{ system, store, ack string }

// storeName is the store, and its acknowledge mode when one is set.
func (s subject) storeName() string {
	if s.ack == "" {
		return s.store
	}
	return s.store + "-" + s.ack
}

// name tells the subject's runs, directories and profiles apart.
func (s subject) name() string { return s.system + "-" + s.storeName() }

// label is the subject's store or exporter as the table shows it.
func (s subject) label() string {
	if s.ack == "" {
		return s.store
	}
	return s.store + " (acknowledge " + s.ack + ")"
}

// floorSystem is test/bench/floor, a bare grpc-go receiver that keeps
// nothing: under each gRPC load, the least a grpc-go server spends, so the
// most any grpc-go receiver can gain on the collector.
const floorSystem = "grpc-go"

type compareConfig struct {
	sink, otelcol, telemetrygen string
	floor                       string // test/bench/floor's binary; no floor rows when empty
	sutCPUs, loadCPUs           string
	rounds                      int
	duration                    time.Duration
	workers                     int
	tgRate, tgWorkers           int
	loads                       []string
	pairs                       []subject
	dbStores                    []string
	ackModes                    []string // buffer.acknowledge of the dbStores' runs; "" for the default
	shape                       loadgen.Shape
	profileDir                  string
	steal                       float64 // share of the machine's CPU time stolen during the runs; -1 unknown
	maxSteal                    float64 // a run with more steal than this share is measured again
	stealRetries                int     // at most this many times
}

func compareParams() compareConfig {
	c := compareConfig{
		sink:         os.Getenv("BENCH_SINK"),
		otelcol:      os.Getenv("BENCH_OTELCOL"),
		telemetrygen: os.Getenv("BENCH_TELEMETRYGEN"),
		floor:        os.Getenv("BENCH_FLOOR"),
		sutCPUs:      envOr("BENCH_SUT_CPUS", "1"),
		loadCPUs:     envOr("BENCH_LOAD_CPUS", "0"),
		rounds:       envInt("BENCH_ROUNDS", 3),
		duration:     envDuration("BENCH_DURATION", 8*time.Second),
		workers:      envInt("BENCH_WORKERS", 8),
		tgRate:       envInt("BENCH_TG_RATE", 2000),
		tgWorkers:    envInt("BENCH_TG_WORKERS", 16),
		loads:        split(envSet("BENCH_LOADS", "telemetrygen,grpc,http")),
		pairs: []subject{{system: "collector", store: "nop"}, {system: "sink", store: "memory"},
			{system: "collector", store: "otlp"}, {system: "sink", store: "otlp"}},
		dbStores:     split(envSet("BENCH_DB_STORES", "sqlite,postgresql")),
		ackModes:     split(envSet("BENCH_ACK_MODES", strings.Join(ackModes, ","))),
		shape:        loadgen.Shape{Traces: 10, SpansPerTrace: 10, Attributes: envInt("BENCH_ATTRIBUTES", 4)},
		profileDir:   os.Getenv("BENCH_PROFILE_DIR"),
		maxSteal:     float64(envInt("BENCH_MAX_STEAL", 5)) / 100,
		stealRetries: envInt("BENCH_STEAL_RETRIES", 2),
	}
	if c.floor != "" {
		c.pairs = append(c.pairs, subject{system: floorSystem, store: "floor"})
	}
	if len(c.ackModes) == 0 {
		c.ackModes = []string{""}
	}
	return c
}

func (c compareConfig) wrap(cpus string) []string { return []string{"taskset", "-c", cpus} }

// runDir is a fresh directory for one process's config, log and data.
func runDir(t *testing.T, name string) string {
	dir := filepath.Join(t.TempDir(), strings.ReplaceAll(name, "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitStable polls until done reports true and the values it returns stop
// changing, or fails after the timeout: the load has ended, so a stable
// count means the pipeline has drained.
func waitStable(ctx context.Context, timeout time.Duration, poll func(context.Context) (bool, []float64, error)) error {
	deadline := time.Now().Add(timeout)
	var last []float64
	stable := 0
	for time.Now().Before(deadline) {
		done, vals, err := poll(ctx)
		if err == nil && done && slices.Equal(vals, last) {
			if stable++; stable >= 3 {
				return nil
			}
		} else {
			stable = 0
		}
		last = vals
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not drained within %s (last %v)", timeout, last)
}
