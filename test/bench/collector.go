package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Collector is a running OpenTelemetry Collector process (hack/collector):
// an OTLP receiver, the batch processor when asked for, and one exporter.
type Collector struct {
	cmd        *exec.Cmd
	GRPCAddr   string
	HTTPURL    string
	MetricsURL string
	logPath    string
	stoppedCh  chan error
}

// CollectorConfig is the collector's configuration: free ports for its
// receiver and its own Prometheus metrics, the batch processor (with the
// collector's defaults) when batch is set, and the exporter block given
// (nop, or otlp with an endpoint) as the only exporter of the traces
// pipeline.
func CollectorConfig(grpcPort, httpPort, metricsPort int, batch bool, exporterName, exporterYAML string) string {
	processors, pipeline := "", "[]"
	if batch {
		processors, pipeline = "processors:\n  batch: {}\n", "[batch]"
	}
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:%d"}
      http: {endpoint: "127.0.0.1:%d"}
%sexporters:
  %s: %s
service:
  telemetry:
    logs: {level: warn}
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus: {host: "127.0.0.1", port: %d}
  pipelines:
    traces: {receivers: [otlp], processors: %s, exporters: [%s]}
`, grpcPort, httpPort, processors, exporterName, exporterYAML, metricsPort, pipeline, exporterName)
}

// StartCollector runs the collector binary, prefixed by wrap (for example
// taskset and its CPU list; may be empty), with the configuration made by
// CollectorConfig on free ports, and waits until its receiver and its
// metrics answer.
func StartCollector(ctx context.Context, wrap []string, binary, dir string, batch bool, exporterName, exporterYAML string) (*Collector, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	c := &Collector{
		GRPCAddr:   fmt.Sprintf("127.0.0.1:%d", ports[0]),
		HTTPURL:    fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[2]),
		logPath:    filepath.Join(dir, "otelcol.log"),
	}
	cfgPath := filepath.Join(dir, "otelcol.yaml")
	cfg := CollectorConfig(ports[0], ports[1], ports[2], batch, exporterName, exporterYAML)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, wrap...), binary, "--config", cfgPath)
	c.cmd = exec.Command(args[0], args[1:]...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	c.stoppedCh = make(chan error, 1)
	go func() { c.stoppedCh <- c.cmd.Wait(); _ = logFile.Close() }()
	return c, c.waitReady(ctx)
}

// PID is the collector's process id (taskset executes the program in place).
func (c *Collector) PID() int { return c.cmd.Process.Pid }

func (c *Collector) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.stoppedCh:
			return fmt.Errorf("collector exited: %v; log:\n%s", err, c.Log())
		default:
		}
		if _, err := scrape(ctx, c.MetricsURL, "otelcol_process_uptime"); err == nil {
			if resp, err := http.Post(c.HTTPURL+"/v1/traces", "application/x-protobuf", nil); err == nil {
				_ = resp.Body.Close()
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("collector not ready within 30s; log:\n%s", c.Log())
}

// Accepted is the spans the collector's receiver acknowledged.
func (c *Collector) Accepted(ctx context.Context) (float64, error) {
	return scrape(ctx, c.MetricsURL, "otelcol_receiver_accepted_spans")
}

// Lost is the spans the collector refused or failed to receive, or that its
// exporter failed to send or to queue: every span it did not pass on.
func (c *Collector) Lost(ctx context.Context) (float64, error) {
	var sum float64
	for _, name := range []string{"otelcol_receiver_refused_spans", "otelcol_receiver_failed_spans",
		"otelcol_exporter_send_failed_spans", "otelcol_exporter_enqueue_failed_spans"} {
		v, err := scrape(ctx, c.MetricsURL, name)
		if err != nil {
			return sum, err
		}
		sum += v
	}
	return sum, nil
}

// Sent is the spans the collector's exporter delivered (0 for nop, which
// counts nothing).
func (c *Collector) Sent(ctx context.Context) (float64, error) {
	return scrape(ctx, c.MetricsURL, "otelcol_exporter_sent_spans")
}

// Stop sends SIGTERM (the collector drains its pipeline) and waits.
func (c *Collector) Stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.stoppedCh:
		return err
	case <-time.After(60 * time.Second):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("collector did not stop within 60s")
	}
}

// Log is what the collector printed.
func (c *Collector) Log() string {
	b, _ := os.ReadFile(c.logPath)
	return string(b)
}

// scrape sums every series of a metric in a Prometheus text exposition,
// with or without the _total suffix the exposition may add to counters.
func scrape(ctx context.Context, url, name string) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "_total")
		if !strings.HasPrefix(rest, "{") && !strings.HasPrefix(rest, " ") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, sc.Err()
}
