package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// DefaultConfigPath is where the operator mounts the sink's ConfigMap.
const DefaultConfigPath = "/etc/telemetry/" + config.FileName

const usageHead = `Usage:
  sink [flags]                            run the sink
  sink migrate --from URL --to URL        copy every record between two stores

The sink receives OTLP on gRPC (default :4317) and HTTP (default :4318), samples
traces, buffers records and writes them to the configured backend, and serves
the query API, /healthz, /readyz and Prometheus /metrics (default :8080).

Configuration comes from the YAML file named by --config (the operator's
ConfigMap); the flags below override its fields for local runs. Secrets come
only from the environment: ` + config.EnvPostgreSQLURL + ` (PostgreSQL URL) and
` + config.EnvOTLPHeaderPrefix + `<header-name> (OTLP export headers).

Configuration file fields (unknown fields are errors):
  type                                       memory | sqlite | postgresql | otlp
  sampling.rate                              0..1, default 1
  buffer.size, buffer.exportInterval         flush at 100 records or every 5s
  buffer.maxQueue                            records waiting for the store, default 100000
  signals.traces, signals.events, signals.metrics   default true
  metadata                                   attributes stamped into every record's resource
  retention.maxAge, retention.interval       prune older data every 1m (maxAge 0 keeps all)
  server.grpcAddr, server.httpAddr, server.queryAddr, server.maxMessageBytes (16 MiB)
  memory.maxTraces, memory.maxEvents, memory.maxMetricPoints
  sqlite.path, sqlite.busyTimeout
  otlp.endpoint, otlp.protocol, otlp.insecure, otlp.timeout

Flags:
`

// overrides are the run flags that replace configuration fields.
type overrides struct {
	configPath, typ, grpcAddr, httpAddr, queryAddr, sqlitePath, otlpEndpoint, otlpProtocol string
	samplingRate                                                                           float64
	otlpInsecure                                                                           bool
	logLevel                                                                               string
}

func runFlags(o *overrides, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", DefaultConfigPath, "configuration file (YAML); when the default file is absent, flags alone configure the sink")
	fs.StringVar(&o.typ, "type", "", "backend: memory, sqlite, postgresql or otlp (overrides type)")
	fs.Float64Var(&o.samplingRate, "sampling-rate", -1, "share of traces kept, 0 to 1 (overrides sampling.rate; -1 keeps the file's)")
	fs.StringVar(&o.grpcAddr, "grpc-addr", "", "OTLP/gRPC listen address (overrides server.grpcAddr, default :4317)")
	fs.StringVar(&o.httpAddr, "http-addr", "", "OTLP/HTTP listen address (overrides server.httpAddr, default :4318)")
	fs.StringVar(&o.queryAddr, "query-addr", "", "query API, health and metrics listen address (overrides server.queryAddr, default :8080)")
	fs.StringVar(&o.sqlitePath, "sqlite-path", "", "SQLite database file (overrides sqlite.path)")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "OTLP endpoint to forward to, such as http://tempo:4317 (overrides otlp.endpoint)")
	fs.StringVar(&o.otlpProtocol, "otlp-protocol", "", "grpc or http/protobuf (overrides otlp.protocol)")
	fs.BoolVar(&o.otlpInsecure, "otlp-insecure", false, "forward without TLS (sets otlp.insecure)")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
		_, _ = fmt.Fprint(stderr, "\nRun 'sink migrate --help' for the migrate command's flags.\n")
	}
	return fs
}

// Main is the sink command: it returns the process exit code.
func Main(ctx context.Context, args []string, env Env, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "migrate" {
		return migrateMain(ctx, args[1:], stderr)
	}
	var o overrides
	fs := runFlags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return exitCode(err)
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "sink: unexpected argument %q; see sink --help\n", fs.Arg(0))
		return 2
	}
	log, err := newLogger(o.logLevel, stderr)
	if err == nil {
		err = runMain(ctx, fs, &o, env, log)
	}
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "sink: %v\n", err)
		return 1
	}
	return 0
}

func runMain(ctx context.Context, fs *flag.FlagSet, o *overrides, env Env, log *slog.Logger) error {
	cfg, err := loadConfig(fs, o)
	if err != nil {
		return err
	}
	st, err := OpenStore(ctx, cfg, env)
	if err != nil {
		return fmt.Errorf("open the %s backend: %w", cfg.Type, err)
	}
	a := New(cfg, st, log)
	if env.Getenv(EnvPprof) == "1" {
		a.EnableProfiling()
	}
	return run(ctx, a, log)
}

// loadConfig reads the file (strictly: unknown fields are errors), applies
// the flag overrides, then defaults and validates the result.
func loadConfig(fs *flag.FlagSet, o *overrides) (*config.Config, error) {
	var cfg config.Config
	data, err := os.ReadFile(o.configPath)
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	switch {
	case err == nil:
		if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
			return nil, fmt.Errorf("configuration %s: %w", o.configPath, err)
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return nil, fmt.Errorf("configuration: %w", err)
	}
	o.apply(fs, &cfg)
	cfg.Default()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return &cfg, nil
}

// apply sets the fields whose flags were given.
func (o *overrides) apply(fs *flag.FlagSet, cfg *config.Config) {
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "type":
			cfg.Type = o.typ
		case "sampling-rate":
			cfg.Sampling.Rate = &o.samplingRate
		case "grpc-addr":
			cfg.Server.GRPCAddr = o.grpcAddr
		case "http-addr":
			cfg.Server.HTTPAddr = o.httpAddr
		case "query-addr":
			cfg.Server.QueryAddr = o.queryAddr
		case "sqlite-path":
			cfg.SQLite = withSQLite(cfg.SQLite)
			cfg.SQLite.Path = o.sqlitePath
		case "otlp-endpoint", "otlp-protocol", "otlp-insecure":
			cfg.OTLP = withOTLP(cfg.OTLP)
			o.applyOTLP(f.Name, cfg.OTLP)
		}
	})
}

func (o *overrides) applyOTLP(name string, c *config.OTLP) {
	switch name {
	case "otlp-endpoint":
		c.Endpoint = o.otlpEndpoint
	case "otlp-protocol":
		c.Protocol = o.otlpProtocol
	case "otlp-insecure":
		c.Insecure = o.otlpInsecure
	}
}

func withSQLite(c *config.SQLite) *config.SQLite {
	if c == nil {
		return &config.SQLite{}
	}
	return c
}

func withOTLP(c *config.OTLP) *config.OTLP {
	if c == nil {
		return &config.OTLP{}
	}
	return c
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// exitCode is 0 for --help and 2 for a usage error, as flag does.
func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
