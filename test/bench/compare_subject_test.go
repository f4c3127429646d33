//go:build bench && benchcompare

package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
)

// subjectProc is a running subject: a collector or a sink, and the
// forwarding target both otlp subjects export to (a collector with the OTLP
// receiver and the nop exporter, on the load generator's CPUs, so that the
// same target serves both and its cost is charged to neither).
type subjectProc struct {
	subject
	collector, target *Collector
	sink              *Sink
	floor             *Floor
	db                *pgtest.Server // the postgresql store's server
	grpcAddr, httpURL string
}

func startSubject(t *testing.T, c compareConfig, sys subject, dir string) *subjectProc {
	t.Helper()
	ctx := context.Background()
	p := &subjectProc{subject: sys}
	var err error
	if sys.store == "otlp" {
		if p.target, err = StartCollector(ctx, c.wrap(c.loadCPUs), c.otelcol, mkdir(t, dir, "target"), false, "nop", "{}"); err != nil {
			t.Fatal(err)
		}
	}
	switch sys.system {
	case "collector":
		name, block := "nop", "{}"
		if sys.store == "otlp" { // Our otlp store does not compress; neither does the collector here.
			name, block = "otlp", fmt.Sprintf(`{endpoint: "%s", compression: none, tls: {insecure: true}}`, p.target.GRPCAddr)
		}
		if p.collector, err = StartCollector(ctx, c.wrap(c.sutCPUs), c.otelcol, dir, true, name, block); err != nil {
			p.stop(t)
			t.Fatal(err)
		}
		p.grpcAddr, p.httpURL = p.collector.GRPCAddr, p.collector.HTTPURL
	case "sink":
		forwardTo := ""
		if p.target != nil {
			forwardTo = p.target.GRPCAddr
		}
		cfg, env, db := compareStoreConfig(t, sys.store, dir, forwardTo)
		if sys.ack != "" {
			cfg = withAck(cfg, sys.ack)
		}
		p.db = db
		if c.profileDir != "" {
			env = append(env, "TELEMETRY_SINK_PPROF=1")
		}
		if p.sink, err = StartSinkWrapped(ctx, c.wrap(c.sutCPUs), c.sink, dir, cfg, env); err != nil {
			p.stop(t)
			t.Fatal(err)
		}
		p.grpcAddr, p.httpURL = p.sink.GRPCAddr, p.sink.HTTPURL
	case floorSystem:
		if p.floor, err = StartFloor(ctx, c.wrap(c.sutCPUs), c.floor, dir); err != nil {
			t.Fatal(err)
		}
		p.grpcAddr = p.floor.GRPCAddr
	default:
		t.Fatalf("unknown system %q", sys.system)
	}
	return p
}

// compareStoreConfig is the sink's configuration: batches of 1000 records
// (the collector's batch processor sends up to 8192) and otherwise its
// defaults, as the collector runs with its own: the memory store's bounds
// (10000 traces) and the queue's (100000 records, which the otlp store
// fills when the forwarding target falls behind). The durable stores run
// as `make bench` runs them.
func compareStoreConfig(t *testing.T, store, dir, forwardTo string) (string, []string, *pgtest.Server) {
	head := fmt.Sprintf("buffer:\n  size: %d\n  exportInterval: 1s\n", batchRecords)
	switch store {
	case "memory":
		return "type: memory\n" + head, nil, nil
	case "otlp":
		return "type: otlp\n" + head + "otlp:\n  endpoint: http://" + forwardTo + "\n  insecure: true\n", nil, nil
	}
	return storeConfig(t, store, dir, forwardTo)
}

func mkdir(t *testing.T, dir, name string) string {
	return runDir(t, filepath.Join(filepath.Base(dir), name))
}

// serverCPU is the CPU time of the postgresql store's server so far, or 0
// for the other stores.
func (p *subjectProc) serverCPU(t *testing.T) float64 {
	if p.db == nil {
		return 0
	}
	cpu, err := TreeCPUSeconds(p.db.PID())
	if err != nil {
		t.Fatal(err)
	}
	return cpu
}

// caughtUp is when the subject had written its backlog (see
// Sink.CaughtUp); the collector's is not measured, and is now.
func (p *subjectProc) caughtUp(t *testing.T) time.Time {
	if p.sink == nil {
		return time.Now()
	}
	at, err := p.sink.CaughtUp(context.Background(), batchRecords, 3*time.Minute)
	if err != nil {
		t.Fatalf("%v\n%s", err, p.log())
	}
	return at
}

func (p *subjectProc) pid() int {
	switch {
	case p.sink != nil:
		return p.sink.PID()
	case p.floor != nil:
		return p.floor.PID()
	}
	return p.collector.PID()
}

// counts is the spans the subject accepted and passed on (the collector's
// receiver count, the sink's stored count, the floor's count), and the
// spans it lost: refused, failed, dropped, or never received by the
// forwarding target (for the floor, the requests it could not read).
func (p *subjectProc) counts(ctx context.Context) (accepted, lost float64, err error) {
	if p.floor != nil {
		if accepted, err = p.floor.Accepted(ctx); err == nil {
			lost, err = p.floor.Refused(ctx)
		}
		return accepted, lost, err
	}
	if p.sink != nil {
		if accepted, err = p.sink.Stored(ctx); err == nil {
			lost, err = p.sink.Dropped(ctx)
		}
	} else if accepted, err = p.collector.Accepted(ctx); err == nil {
		lost, err = p.collector.Lost(ctx)
	}
	if err != nil || p.target == nil {
		return accepted, lost, err
	}
	got, err := p.target.Accepted(ctx)
	if got < accepted {
		lost += accepted - got
	}
	return accepted, lost, err
}

// drained reports whether the subject has passed on everything it took:
// the sink's queue is empty, and a forwarding target has received as much
// as the subject accepted. The counts it returns must also stop changing.
func (p *subjectProc) drained(ctx context.Context) (bool, []float64, error) {
	accepted, lost, err := p.counts(ctx)
	if err != nil {
		return false, nil, err
	}
	vals := []float64{accepted, lost}
	done := true
	if p.sink != nil {
		received, err1 := p.sink.Received(ctx)
		queued, err2 := p.sink.metric(ctx, "sink_queue_records")
		if err1 != nil || err2 != nil {
			return false, nil, fmt.Errorf("%v %v", err1, err2)
		}
		vals = append(vals, received)
		done = queued == 0
	}
	if p.target != nil {
		got, err := p.target.Accepted(ctx)
		if err != nil {
			return false, nil, err
		}
		vals = append(vals, got)
		done = done && got >= accepted
	}
	return done, vals, nil
}

func (p *subjectProc) log() string {
	switch {
	case p.sink != nil:
		return p.sink.Log()
	case p.floor != nil:
		return p.floor.Log()
	}
	return p.collector.Log()
}

func (p *subjectProc) stop(t *testing.T) {
	if p.sink != nil {
		if err := p.sink.Stop(); err != nil {
			t.Errorf("stopping the sink: %v\n%s", err, p.sink.Log())
		}
	}
	if p.collector != nil {
		if err := p.collector.Stop(); err != nil {
			t.Errorf("stopping the collector: %v\n%s", err, p.collector.Log())
		}
	}
	if p.floor != nil {
		if err := p.floor.Stop(); err != nil {
			t.Errorf("stopping the floor: %v\n%s", err, p.floor.Log())
		}
	}
	if p.target != nil {
		_ = p.target.Stop()
	}
}
