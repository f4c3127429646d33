// Package otlp is the export-only store: it forwards every batch to another
// OTLP endpoint (Tempo, Jaeger, a collector, a vendor) and answers every
// query with ErrUnsupported.
//
// Trace requests go out as the sink received them, after its policy
// (store.Encoded; span events stay in their spans), through the store's own
// OTLP forwarder (forward.go); spans given as records are encoded for it.
// Events given as records go out as OTLP log records carrying their event
// name (the OTLP form of an event), and metric points as OTLP metrics of
// their aggregation type, through the official OpenTelemetry Go exporters.
// Histograms and summaries keep their count, sum, min and max; the buckets
// were not kept by the sink.
package otlp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var _ store.Store = (*Store)(nil)

// Protocols, as in the sink configuration.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// errExportOnly is what every query returns.
var errExportOnly = fmt.Errorf("export-only backend: the otlp store forwards telemetry and cannot query it: %w", store.ErrUnsupported)

// Options configure the exporters.
type Options struct {
	// Endpoint is the receiver's base URL, such as http://tempo:4317 for
	// gRPC or https://otlp.example.com:4318 for HTTP (the /v1/<signal>
	// paths are appended).
	Endpoint string
	// Protocol is ProtocolGRPC (default) or ProtocolHTTP.
	Protocol string
	// Insecure disables TLS; an http:// endpoint never uses TLS.
	Insecure bool
	// Timeout bounds one export, retries included (default 10s).
	Timeout time.Duration
	// Headers are sent with every export (API keys and the like).
	Headers map[string]string
}

// Store forwards batches over OTLP.
type Store struct {
	exp       *exporters
	fwd       forwarder
	timeout   time.Duration
	mu        sync.RWMutex
	closed    bool
	closeOnce sync.Once
	closeErr  error
}

// New builds the exporters; connections are made lazily, so an endpoint
// that is down fails the first Write, not New.
func New(ctx context.Context, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	exp, err := newExporters(ctx, opt)
	if err != nil {
		return nil, err
	}
	return &Store{exp: exp, fwd: exp.trace, timeout: opt.Timeout}, nil
}

// exportsInFlight is how many batches the otlp store forwards at once (the
// pipeline runs as many writers): one export waits for the receiver's
// answer, and while it waits the queue, and the sink's memory, grew.
const exportsInFlight = 4

// WriteParallelism asks the sink's pipeline for concurrent writers.
func (s *Store) WriteParallelism() int { return exportsInFlight }

// WritesEncoded reports that Write forwards Batch.Encoded as it is.
func (s *Store) WritesEncoded() bool { return true }

var _ store.EncodedWriter = (*Store)(nil)

// Write exports the batch's trace requests and spans, events and metrics;
// it returns nil only when the endpoint accepted every part. A retried
// Write may deliver a part twice: deduplication by id is up to the
// receiving platform. A refusal of the data itself (OTLP's
// INVALID_ARGUMENT, HTTP 400) wraps store.ErrInvalid.
func (s *Store) Write(ctx context.Context, b *store.Batch) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	if err := validate(b); err != nil {
		return err
	}
	var errs []error
	if len(b.Spans) > 0 || len(b.Encoded) > 0 {
		errs = append(errs, s.forwardTraces(ctx, b))
	}
	if len(b.Events) > 0 {
		errs = append(errs, s.exp.logs(ctx, logRecords(b.Events)))
	}
	if len(b.Metrics) > 0 {
		errs = append(errs, s.exp.metrics(ctx, resourceMetrics(b.Metrics)))
	}
	if len(b.Logs) > 0 {
		errs = append(errs, s.exp.logs(ctx, forwardLogs(b.Logs)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("otlp export: %w", err)
	}
	return nil
}

// check returns ErrClosed after Close, else the export-only error.
func (s *Store) check() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return errExportOnly
}

// QueryTraces returns ErrUnsupported: the store is export-only.
func (s *Store) QueryTraces(context.Context, store.TraceQuery) ([]store.Trace, error) {
	return nil, s.check()
}

// GetTrace returns ErrUnsupported: the store is export-only.
func (s *Store) GetTrace(context.Context, string) (*store.TraceDetail, error) { return nil, s.check() }

// QuerySpans returns ErrUnsupported: the store is export-only.
func (s *Store) QuerySpans(context.Context, store.SpanQuery) ([]store.Span, error) {
	return nil, s.check()
}

// QueryEvents returns ErrUnsupported: the store is export-only.
func (s *Store) QueryEvents(context.Context, store.EventQuery) ([]store.Event, error) {
	return nil, s.check()
}

// QueryMetrics returns ErrUnsupported: the store is export-only.
func (s *Store) QueryMetrics(context.Context, store.MetricQuery) ([]store.Metric, error) {
	return nil, s.check()
}

// QueryLogs returns ErrUnsupported: the store is export-only.
func (s *Store) QueryLogs(context.Context, store.LogQuery) ([]store.LogRecord, error) {
	return nil, s.check()
}

// AggregateMetrics returns ErrUnsupported: the store is export-only.
func (s *Store) AggregateMetrics(context.Context, store.AggregateQuery) ([]store.Aggregate, error) {
	return nil, s.check()
}

// Prune returns ErrUnsupported: retention is the receiving platform's.
func (s *Store) Prune(context.Context, time.Time) (store.PruneResult, error) {
	return store.PruneResult{}, s.check()
}

// ReadAll returns ErrUnsupported: nothing is kept to read.
func (s *Store) ReadAll(context.Context, int, func(*store.Batch) error) error { return s.check() }

// Capabilities says the store cannot query and keeps nothing to prune.
func (s *Store) Capabilities() store.Capabilities {
	return store.Capabilities{NoQuery: true, NoRetention: true}
}

// Close shuts the exporters down; later calls return nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeErr = s.exp.shutdown(ctx)
	})
	return s.closeErr
}
