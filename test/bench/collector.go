package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// Collector is a running OpenTelemetry Collector process (hack/collector):
// an OTLP receiver, the batch processor when asked for, and one exporter.
type Collector struct {
	*process
	GRPCAddr   string
	HTTPURL    string
	MetricsURL string
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
	}
	cfgPath := filepath.Join(dir, "otelcol.yaml")
	cfg := CollectorConfig(ports[0], ports[1], ports[2], batch, exporterName, exporterYAML)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	if c.process, err = startProcess("collector", wrap, binary, []string{"--config", cfgPath}, nil,
		filepath.Join(dir, "otelcol.log")); err != nil {
		return nil, err
	}
	return c, c.waitReady(func() bool { return c.ready(ctx) })
}

// ready reports whether the collector's metrics and its OTLP/HTTP receiver
// answer.
func (c *Collector) ready(ctx context.Context) bool {
	if _, err := scrape(ctx, c.MetricsURL, "otelcol_process_uptime"); err != nil {
		return false
	}
	resp, err := http.Post(c.HTTPURL+"/v1/traces", "application/x-protobuf", nil)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return true
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
