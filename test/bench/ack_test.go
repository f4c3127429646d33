//go:build bench

package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// TestBenchAck is make bench's Acknowledgement table: what answering an
// export request only once its records are committed (buffer.acknowledge:
// stored) costs against answering once they are queued (received), the
// same sink binary in both modes in one run. Each run is a fresh sink and
// store taking a light load (BENCH_LIGHT_RATE requests a second, paced
// whatever the answers), then saturation as TestBenchTable applies it.
// Rounds alternate which mode goes first, so that a drift of the machine
// touches both. It measures; it asserts only that nothing was lost.
func TestBenchAck(t *testing.T) {
	a := ackParams()
	if len(a.stores) == 0 {
		t.Skip("BENCH_ACK_STORES is empty")
	}
	binary := buildSink(t)
	var runs []ackRun
	for round := 1; round <= a.rounds; round++ {
		for _, store := range a.stores {
			for _, mode := range inTurn(ackModes, round) {
				t.Run(fmt.Sprintf("%s-%s-%d", store, mode, round), func(t *testing.T) {
					r := measureAck(t, a, binary, store, mode)
					runs = append(runs, r)
					t.Logf("%s/%s: light load %d requests, saturation %s", store, mode, r.light.Acked, r.ingestSummary())
				})
			}
		}
	}
	table := renderAck(a, runs)
	fmt.Println(table)
	writeOut(t, table)
}

// ackModes are the two answers compared: before (received), then after
// (stored).
var ackModes = []string{config.AckReceived, config.AckStored}

type ackConfig struct {
	bench     benchParams // saturation's senders and the requests' shape; duration is each load's
	stores    []string
	rounds    int
	lightRate float64 // requests a second
}

func ackParams() ackConfig {
	p := params()
	p.duration = envDuration("BENCH_ACK_DURATION", 10*time.Second)
	return ackConfig{
		bench:     p,
		stores:    split(envSet("BENCH_ACK_STORES", "sqlite,postgresql")),
		rounds:    envInt("BENCH_ACK_ROUNDS", 3),
		lightRate: float64(envInt("BENCH_LIGHT_RATE", 50)),
	}
}

// lightWorkers caps the light load's requests in flight at a second's
// worth, so that a slow answer delays no later request unless it takes
// that long (loadgen counts those as late).
func (a ackConfig) lightWorkers() int { return max(int(math.Ceil(a.lightRate)), 1) }

// ackRun is one store in one mode, measured once.
type ackRun struct {
	store, mode string
	light       loadgen.Result
	ingest      ingestResult
	steal       float64
}

func (r ackRun) ingestSummary() string { return row{store: r.store, ingest: r.ingest}.ingestSummary() }

// withAck sets buffer.acknowledge in a configuration storeConfig wrote,
// whose buffer block comes first.
func withAck(cfg, mode string) string {
	return strings.Replace(cfg, "buffer:\n", "buffer:\n  acknowledge: "+mode+"\n", 1)
}

// measureAck runs a fresh sink of the store in the mode: the light load,
// then saturation.
func measureAck(t *testing.T, a ackConfig, binary, store, mode string) ackRun {
	dir := t.TempDir()
	cfg, env, _ := storeConfig(t, store, dir, "")
	s, err := StartSink(context.Background(), binary, dir, withAck(cfg, mode), env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping the sink: %v\n%s", err, s.Log())
		}
	}()
	stat0, statErr := ReadCPUStat()
	r := ackRun{store: store, mode: mode}
	r.light = measureLight(t, a, s)
	r.ingest = measureIngest(t, a.bench, s)
	if stat1, err := ReadCPUStat(); err == nil && statErr == nil {
		r.steal = stat1.StealSince(stat0)
	}
	return r
}

// lightFirstRequest numbers the light load's requests far from
// saturation's, which start at 0, so that no id is sent twice.
const lightFirstRequest = 1 << 40

// measureLight paces requests at the light rate for the load's duration,
// then waits until what was acknowledged is stored: in received mode up to
// a batch still waits for the export interval, and writing it must not be
// charged to saturation.
func measureLight(t *testing.T, a ackConfig, s *Sink) loadgen.Result {
	ctx := context.Background()
	tmpl, err := loadgen.TraceTemplate(a.bench.shape)
	if err != nil {
		t.Fatal(err)
	}
	stored0, err := s.Stored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := loadgen.Options{GRPCAddr: s.GRPCAddr, Rate: a.lightRate, Workers: a.lightWorkers(),
		Duration: a.bench.duration, FirstRequest: lightFirstRequest}
	res, err := loadgen.Run(ctx, o, "/v1/traces", tmpl.Request)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 {
		t.Fatalf("%d requests failed, last: %v\n%s", res.Failed, res.LastError, s.Log())
	}
	spans := float64(res.Acked) * float64(a.bench.shape.Spans())
	if _, err := s.WaitStored(ctx, stored0+spans, time.Minute); err != nil {
		t.Fatalf("acknowledged spans not all stored: %v", err)
	}
	return res
}
