package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// The sink binary is built once per test binary, into binDir, which
// TestMain removes afterwards.
var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "sink-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(binDir)
	os.Exit(code)
}

// sinkBinary builds the sink as it ships (static, without cgo) on first use.
func sinkBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "sink")
	buildOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// sinkProcess is the real sink binary running on a configuration file; a
// test may kill it and start it again on the same store and ports.
type sinkProcess struct {
	t       *testing.T
	bin     string
	args    []string
	env     []string
	cfg     *config.Config
	logPath string
	cmd     *exec.Cmd
	exited  chan error
}

// startSink writes cfg, with free local ports for its three servers, into a
// file of a new directory and starts the sink on it with env added to the
// environment. The process is killed when the test ends.
func startSink(t *testing.T, cfg config.Config, env ...string) *sinkProcess {
	t.Helper()
	dir := t.TempDir()
	cfg.Server.GRPCAddr, cfg.Server.HTTPAddr, cfg.Server.QueryAddr = freeAddr(t), freeAddr(t), freeAddr(t)
	data, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, config.FileName)
	if err := os.WriteFile(cfgPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s := &sinkProcess{t: t, bin: sinkBinary(t), args: []string{"--config", cfgPath}, env: env, cfg: &cfg,
		logPath: filepath.Join(dir, "sink.log")}
	t.Cleanup(s.kill)
	s.start()
	return s
}

// start runs the process, its output appended to the log, and waits until
// it is ready.
func (s *sinkProcess) start() {
	s.t.Helper()
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer func() { _ = logf.Close() }()
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Env = append(os.Environ(), s.env...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	exited := make(chan error, 1)
	s.exited = exited
	go func() { exited <- s.cmd.Wait() }()
	s.waitReady()
}

// waitReady polls /readyz until it answers 200, failing early when the
// process exits.
func (s *sinkProcess) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.cmd = nil
			s.t.Fatalf("sink exited before it was ready: %v\n%s", err, s.log())
		default:
		}
		if resp, err := http.Get(s.queryURL("/readyz")); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("sink not ready after 60s:\n%s", s.log())
}

// kill sends SIGKILL, as the OOM killer or a node failure would, and waits
// for the process to exit; it does nothing when the process is not running.
// A sink that had already exited by itself fails the test.
func (s *sinkProcess) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	err := <-s.exited
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		s.t.Errorf("sink had exited before SIGKILL: %v\n%s", err, s.log())
	}
	s.cmd = nil
}

// terminate sends SIGTERM, as Kubernetes stopping the pod does, and returns
// how the process exited.
func (s *sinkProcess) terminate() error {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	defer func() { s.cmd = nil }()
	select {
	case err := <-s.exited:
		return err
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("sink did not exit within 60s of SIGTERM; then SIGKILL: %v", <-s.exited)
	}
}

func (s *sinkProcess) queryURL(path string) string { return "http://" + s.cfg.Server.QueryAddr + path }

// log is everything the sink's runs wrote.
func (s *sinkProcess) log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}
