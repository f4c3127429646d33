package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sink is a running sink process.
type Sink struct {
	cmd       *exec.Cmd
	GRPCAddr  string
	HTTPURL   string
	QueryURL  string
	logPath   string
	stoppedCh chan error
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
		logPath:  filepath.Join(dir, "sink.log"),
	}
	cfg := configYAML + fmt.Sprintf("server:\n  grpcAddr: %s\n  httpAddr: 127.0.0.1:%d\n  queryAddr: 127.0.0.1:%d\n",
		s.GRPCAddr, ports[1], ports[2])
	cfgPath := filepath.Join(dir, "sink.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, wrap...), binary, "--config", cfgPath, "--log-level", "warn")
	s.cmd = exec.Command(args[0], args[1:]...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.stoppedCh = make(chan error, 1)
	go func() { s.stoppedCh <- s.cmd.Wait(); _ = logFile.Close() }()
	return s, s.waitReady(ctx)
}

// PID is the sink's process id.
func (s *Sink) PID() int { return s.cmd.Process.Pid }

func (s *Sink) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.stoppedCh:
			return fmt.Errorf("sink exited: %v; log:\n%s", err, s.Log())
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.QueryURL+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("sink not ready within 30s; log:\n%s", s.Log())
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.QueryURL+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				return 0, err
			}
			sum += v
		}
	}
	return sum, sc.Err()
}

// WaitStored waits until the store holds at least want records.
func (s *Sink) WaitStored(ctx context.Context, want float64, timeout time.Duration) (float64, error) {
	deadline := time.Now().Add(timeout)
	for {
		got, err := s.Stored(ctx)
		if err == nil && got >= want {
			return got, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("stored %v of %v records within %s (%v)", got, want, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop sends SIGTERM (the sink flushes and exits) and waits.
func (s *Sink) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.stoppedCh:
		return err
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("sink did not stop within 60s")
	}
}

// Log is what the sink printed.
func (s *Sink) Log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
