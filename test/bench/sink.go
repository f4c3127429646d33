package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Sink is a running sink process.
type Sink struct {
	*process
	GRPCAddr string
	HTTPURL  string
	QueryURL string
}

// StartSink runs the sink binary with the given configuration (YAML without
// the server block, which StartSink adds with free ports) and extra
// environment, and waits until /readyz answers.
func StartSink(ctx context.Context, binary, dir, configYAML string, env []string) (*Sink, error) {
	return StartSinkWrapped(ctx, nil, binary, dir, configYAML, env)
}

// StartSinkWrapped is StartSink with the binary run through wrap (for
// example taskset and its CPU list), which must execute it in place so that
// the process id stays the sink's.
func StartSinkWrapped(ctx context.Context, wrap []string, binary, dir, configYAML string, env []string) (*Sink, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	s := &Sink{
		GRPCAddr: fmt.Sprintf("127.0.0.1:%d", ports[0]),
		HTTPURL:  fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		QueryURL: fmt.Sprintf("http://127.0.0.1:%d", ports[2]),
	}
	cfg := configYAML + fmt.Sprintf("server:\n  grpcAddr: %s\n  httpAddr: 127.0.0.1:%d\n  queryAddr: 127.0.0.1:%d\n",
		s.GRPCAddr, ports[1], ports[2])
	cfgPath := filepath.Join(dir, "sink.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	if s.process, err = startProcess("sink", wrap, binary, []string{"--config", cfgPath, "--log-level", "warn"}, env,
		filepath.Join(dir, "sink.log")); err != nil {
		return nil, err
	}
	return s, s.waitReady(func() bool { return s.ready(ctx) })
}

// ready reports whether the sink's /readyz answers 200.
func (s *Sink) ready(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.QueryURL+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stored is the sink's count of records the store accepted, over all signals.
func (s *Sink) Stored(ctx context.Context) (float64, error) {
	return s.metric(ctx, "sink_stored_records_total")
}

// Received is the sink's count of records its receivers acknowledged.
func (s *Sink) Received(ctx context.Context) (float64, error) {
	return s.metric(ctx, "sink_received_records_total")
}

// Dropped is the sink's count of accepted records it could not store.
func (s *Sink) Dropped(ctx context.Context) (float64, error) {
	return s.metric(ctx, "sink_dropped_records_total")
}

// metric sums every series of a counter in the sink's /metrics.
func (s *Sink) metric(ctx context.Context, name string) (float64, error) {
	return scrape(ctx, s.QueryURL+"/metrics", name)
}

// CaughtUp waits until fewer than batch records are queued, the sink's
// backlog written but for a last partial batch (which waits for the
// export interval by design), and returns when it saw that. A load's
// throughput runs to that moment: records the sink acknowledged but still
// queues when the load ends have not yet been stored.
func (s *Sink) CaughtUp(ctx context.Context, batch float64, timeout time.Duration) (time.Time, error) {
	queued, at, err := s.waitMetric(ctx, "sink_queue_records", func(v float64) bool { return v < batch }, 20*time.Millisecond, timeout)
	if err != nil {
		return at, fmt.Errorf("%v records still queued after %s (%w)", queued, timeout, err)
	}
	return at, nil
}

// WaitStored waits until the store holds at least want records.
func (s *Sink) WaitStored(ctx context.Context, want float64, timeout time.Duration) (float64, error) {
	got, _, err := s.waitMetric(ctx, "sink_stored_records_total", func(v float64) bool { return v >= want }, 100*time.Millisecond, timeout)
	if err != nil {
		return got, fmt.Errorf("stored %v of %v records within %s (%w)", got, want, timeout, err)
	}
	return got, nil
}

// waitMetric polls a metric every interval until ok accepts its value, and
// returns the value and when it was read; after timeout, the last value
// and errTimeout or the last scrape's error.
func (s *Sink) waitMetric(ctx context.Context, name string, ok func(float64) bool, every, timeout time.Duration) (float64, time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := s.metric(ctx, name)
		now := time.Now()
		if err == nil && ok(v) {
			return v, now, nil
		}
		if now.After(deadline) {
			if err == nil {
				err = errTimeout
			}
			return v, now, err
		}
		time.Sleep(every)
	}
}

// errTimeout is waitMetric's error when the metric never satisfied it.
var errTimeout = errors.New("timed out")
