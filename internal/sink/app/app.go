// Package app wires the sink together: store, pipeline, OTLP receivers, the
// query API with health and metrics, and the retention loop; it runs them
// and shuts them down in the order that loses nothing.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
	"github.com/spark-dev/telemetry-operator/internal/sink/receiver"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// DefaultShutdownTimeout bounds how long Run waits for the final flush.
const DefaultShutdownTimeout = 30 * time.Second

// App is one running sink.
type App struct {
	cfg     *config.Config
	store   store.Store
	log     *slog.Logger
	metrics *sinkmetrics.Metrics
	pipe    *pipeline.Pipeline

	grpc      *grpc.Server
	otlpHTTP  *http.Server
	queryHTTP *http.Server
	query     *http.ServeMux
	addrs     Addrs
	ready     atomic.Bool
	serveErrs chan error

	stopRetention context.CancelFunc
	retentionDone chan struct{}
}

// Addrs are the addresses the sink listens on, resolved (useful with port 0).
type Addrs struct {
	GRPC  string
	HTTP  string
	Query string
}

// New builds a sink over an open store; the App owns the store from now on
// and closes it on Shutdown.
func New(cfg *config.Config, st store.Store, log *slog.Logger) *App {
	m := sinkmetrics.New()
	a := &App{cfg: cfg, store: st, log: log, metrics: m, serveErrs: make(chan error, 3)}
	a.pipe = pipeline.New(st, pipeline.Options{
		Size: cfg.Buffer.Size, Interval: cfg.Buffer.ExportInterval.Duration, MaxQueue: cfg.Buffer.MaxQueue,
	}, m, log)
	conv := &convert.Converter{
		Sampler: sampler.New(cfg.SamplingRate()),
		Signals: convert.Signals{Traces: config.Enabled(cfg.Signals.Traces), Events: config.Enabled(cfg.Signals.Events),
			Metrics: config.Enabled(cfg.Signals.Metrics), Logs: config.Enabled(cfg.Signals.Logs)},
		LogEvents: !st.Capabilities().NoQuery,
		Metadata:  cfg.Metadata,
		Telemetry: m,
	}
	if ew, ok := st.(store.EncodedWriter); ok {
		conv.Encoded = ew.WritesEncoded()
	}
	if hr, ok := st.(store.SpanHeadReader); ok {
		conv.Heads = conv.Encoded && hr.ReadsSpanHeads()
	}
	// The stores that read span heads keep the requests they index.
	recv := receiver.New(conv, a.pipe, m, receiver.Options{MaxMessageBytes: cfg.Server.MaxMessageBytes, KeepsRequests: conv.Heads,
		AckStored: cfg.Buffer.Acknowledge == config.AckStored})
	a.grpc = recv.GRPCServer()
	a.otlpHTTP = &http.Server{Handler: recv.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second}
	a.query = a.queryMux()
	a.queryHTTP = &http.Server{Handler: a.query, ReadHeaderTimeout: 10 * time.Second}
	return a
}

// Metrics exposes the sink's Prometheus metrics, for tests and embedding.
func (a *App) Metrics() *sinkmetrics.Metrics { return a.metrics }

// Addrs returns the listening addresses once Start has returned.
func (a *App) Addrs() Addrs { return a.addrs }

// Start listens on the three addresses and serves in the background.
func (a *App) Start() error {
	var lis [3]net.Listener
	for i, addr := range []string{a.cfg.Server.GRPCAddr, a.cfg.Server.HTTPAddr, a.cfg.Server.QueryAddr} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			for _, open := range lis[:i] {
				_ = open.Close()
			}
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		lis[i] = l
	}
	a.addrs = Addrs{GRPC: lis[0].Addr().String(), HTTP: lis[1].Addr().String(), Query: lis[2].Addr().String()}
	go a.serve("otlp grpc", func() error { return a.grpc.Serve(lis[0]) })
	go a.serve("otlp http", func() error { return a.otlpHTTP.Serve(lis[1]) })
	go a.serve("query", func() error { return a.queryHTTP.Serve(lis[2]) })
	a.startRetention()
	a.ready.Store(true)
	a.log.Info("sink started", "type", a.cfg.Type, "grpc", a.addrs.GRPC, "http", a.addrs.HTTP, "query", a.addrs.Query)
	return nil
}

func (a *App) serve(name string, serve func() error) {
	if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, grpc.ErrServerStopped) {
		a.serveErrs <- fmt.Errorf("%s server: %w", name, err)
	}
}

// Shutdown stops the receivers (in-flight requests finish), writes every
// accepted record to the store, then stops the query API and closes the
// store. Records still unstored when ctx ends are reported in the error.
func (a *App) Shutdown(ctx context.Context) error {
	a.ready.Store(false)
	var errs []error
	stopped := make(chan struct{})
	go func() { a.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		a.grpc.Stop()
	}
	errs = append(errs, a.otlpHTTP.Shutdown(ctx))
	if err := a.pipe.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("final flush: %w", err))
	}
	a.stopRetentionLoop()
	errs = append(errs, a.queryHTTP.Shutdown(ctx), a.store.Close())
	return errors.Join(errs...)
}

// Run serves cfg's sink over st until ctx ends, then shuts down within
// DefaultShutdownTimeout.
func Run(ctx context.Context, cfg *config.Config, st store.Store, log *slog.Logger) error {
	return run(ctx, New(cfg, st, log), log)
}

// run serves a until ctx ends, as Run does.
func run(ctx context.Context, a *App, log *slog.Logger) error {
	if err := a.Start(); err != nil {
		_ = a.pipe.Shutdown(context.Background())
		_ = a.store.Close()
		return err
	}
	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: stopping receivers and flushing the queue", "queued", a.pipe.Len())
	case serveErr = <-a.serveErrs:
		log.Error("a server failed; shutting down", "error", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownTimeout)
	defer cancel()
	err := errors.Join(serveErr, a.Shutdown(sctx))
	if err == nil {
		log.Info("sink stopped; every accepted record was stored")
	}
	return err
}
