//go:build bench && benchcompare

package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// run is one measurement: one fresh process of one subject under one load.
type run struct {
	subject
	load     string
	round    int
	offered  float64       // spans the generator produced (telemetrygen) or got acknowledged (loadgen)
	accepted float64       // spans the receiver accepted and passed on (stored or exported)
	lost     float64       // spans refused for good, failed, or acknowledged but never passed on
	refused  uint64        // loadgen requests pushed back with a retryable answer, then retried
	wall     time.Duration // from the first request until the backlog was written
	use      CPUUse        // the subject's process from the first request to drained: CPU and minor faults
	dbCPU    float64       // the same of the postgresql store's server, 0 for the others
	rss      int64
	steal    float64 // share of the machine's CPU time stolen during the run
	tries    int     // times this subject, load and round were measured (see BENCH_MAX_STEAL)
}

// cpu is the CPU-seconds of the subject's process, user and system.
func (r run) cpu() float64 { return r.use.User + r.use.System }

func (r run) perCPUSecond() float64 {
	if r.cpu() == 0 {
		return 0
	}
	return r.accepted / r.cpu()
}

func (r run) perSecond() float64 { return r.accepted / r.wall.Seconds() }

func (r run) summary() string {
	s := fmt.Sprintf("offered %.0f, accepted %.0f, lost %.0f, refusals %d, %.0f spans/s, %.2f CPU-s, %.0f spans per CPU-second, peak RSS %d MiB",
		r.offered, r.accepted, r.lost, r.refused, r.perSecond(), r.cpu(), r.perCPUSecond(), r.rss>>20)
	s += fmt.Sprintf(", CPU steal %.1f%%, %.2f CPU-s in the kernel, %d minor page faults", 100*r.steal, r.use.System, r.use.MinorFaults)
	if r.dbCPU > 0 {
		s += fmt.Sprintf("; server %.2f CPU-s, %.0f spans per server CPU-second", r.dbCPU, r.accepted/r.dbCPU)
	}
	return s
}

// measure starts the subject (and its forwarding target), applies the load,
// waits until the pipeline has drained, and reads the subject's CPU time
// and peak RSS from /proc.
func measure(t *testing.T, c compareConfig, sys subject, load string, round int) run {
	t.Helper()
	ctx := context.Background()
	s := startSubject(t, c, sys, runDir(t, fmt.Sprintf("%s-%s-%d", sys.name(), load, round)))
	defer s.stop(t)
	r := run{subject: sys, load: load, round: round}
	use0, err := CPUUseOf(s.pid())
	if err != nil {
		t.Fatal(err)
	}
	dbCPU0 := s.serverCPU(t)
	stat0, statErr := ReadCPUStat()
	profileDone := s.profile(t, c, load, round)
	start := time.Now()
	ackedSpans := applyLoad(t, c, s, load, &r)
	r.wall = s.caughtUp(t).Sub(start)
	if err := waitStable(ctx, 3*time.Minute, s.drained); err != nil {
		t.Fatalf("%s/%s under %s: %v\n%s", sys.system, sys.label(), load, err, s.log())
	}
	use1, err := CPUUseOf(s.pid())
	if err != nil {
		t.Fatal(err)
	}
	r.use = use1.Since(use0)
	r.dbCPU = s.serverCPU(t) - dbCPU0
	if stat1, err := ReadCPUStat(); err == nil && statErr == nil {
		r.steal = stat1.StealSince(stat0)
	}
	if r.rss, err = PeakRSSBytes(s.pid()); err != nil {
		t.Fatal(err)
	}
	if r.accepted, r.lost, err = s.counts(ctx); err != nil {
		t.Fatal(err)
	}
	if ackedSpans > r.accepted { // Acknowledged to the sender but never passed on.
		r.lost += ackedSpans - r.accepted
	}
	<-profileDone
	return r
}

// applyLoad runs the load against the subject's receiver and returns the
// spans the receiver acknowledged to loadgen (0 for telemetrygen, whose
// SDK does not say).
func applyLoad(t *testing.T, c compareConfig, s *subjectProc, load string, r *run) float64 {
	switch load {
	case "telemetrygen":
		r.offered = runTelemetrygen(t, c, s.grpcAddr)
		return 0
	case "grpc", "http":
		tmpl, err := loadgen.TraceTemplate(c.shape)
		if err != nil {
			t.Fatal(err)
		}
		o := loadgen.Options{Workers: c.workers, Duration: c.duration, FirstRequest: uint64(r.round) << 32}
		if load == "grpc" {
			o.GRPCAddr = s.grpcAddr
		} else {
			o.HTTPURL = s.httpURL
		}
		res, err := loadgen.Run(context.Background(), o, "/v1/traces", tmpl.Request)
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed > 0 {
			t.Fatalf("%d requests failed, last: %v\n%s", res.Failed, res.LastError, s.log())
		}
		r.refused = res.Refused
		r.offered = float64(res.Acked) * float64(c.shape.Spans())
		return r.offered
	}
	t.Fatalf("unknown load %q", load)
	return 0
}

var tracesGenerated = regexp.MustCompile(`traces generated.*"traces": (\d+)`)

// runTelemetrygen offers a fixed rate of traces of ten spans (a root and
// nine children) and returns the spans it says it generated; its SDK drops
// what it cannot export in time, so this is an upper bound, never counted
// as accepted.
func runTelemetrygen(t *testing.T, c compareConfig, addr string) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), c.duration+time.Minute)
	defer cancel()
	args := append(c.wrap(c.loadCPUs), c.telemetrygen, "traces", "--otlp-insecure", "--otlp-endpoint", addr,
		"--rate", strconv.Itoa(c.tgRate), "--workers", strconv.Itoa(c.tgWorkers),
		"--duration", c.duration.String(), "--child-spans", "9")
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}
	var traces float64
	for _, m := range tracesGenerated.FindAllSubmatch(out, -1) {
		n, _ := strconv.ParseFloat(string(m[1]), 64)
		traces += n
	}
	return traces * 10
}

// profile takes a CPU profile of the sink during the last round's gRPC
// saturation, then a heap profile (what is live at its end, where peak RSS
// comes from), when BENCH_PROFILE_DIR asks for it.
func (s *subjectProc) profile(t *testing.T, c compareConfig, load string, round int) <-chan struct{} {
	done := make(chan struct{})
	if c.profileDir == "" || s.sink == nil || load != "grpc" || round != c.rounds {
		close(done)
		return done
	}
	seconds := max(int(c.duration.Seconds())-2, 1)
	go func() {
		defer close(done)
		s.saveProfile(t, fmt.Sprintf("profile?seconds=%d", seconds), filepath.Join(c.profileDir, fmt.Sprintf("sink-%s-grpc.pprof", s.storeName())))
		s.saveProfile(t, "heap", filepath.Join(c.profileDir, fmt.Sprintf("sink-%s-grpc.heap.pprof", s.storeName())))
		// The text form ends with the runtime's memory statistics: how much
		// of the RSS is heap in use, heap idle but not returned, stacks.
		s.saveProfile(t, "heap?debug=1", filepath.Join(c.profileDir, fmt.Sprintf("sink-%s-grpc.heap.txt", s.storeName())))
	}()
	return done
}

// saveProfile writes the sink's /debug/pprof/<query> to path.
func (s *subjectProc) saveProfile(t *testing.T, query, path string) {
	resp, err := http.Get(s.sink.QueryURL + "/debug/pprof/" + query)
	if err != nil {
		t.Errorf("profile: %v", err)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Errorf("profile: %v", err)
	}
}
