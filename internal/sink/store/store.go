// Package store defines where the sink keeps telemetry: one Store interface,
// its contract, and the record model shared by every implementation
// (memory, sqlite, postgres, otlp). storetest holds the conformance suite.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every store returns for the same conditions. Callers test them with
// errors.Is; stores wrap them with detail.
var (
	// ErrNotFound is returned by GetTrace for an unknown trace id.
	ErrNotFound = errors.New("not found")
	// ErrUnsupported is returned by every query of a store whose
	// Capabilities say it cannot query (the otlp store is export-only).
	ErrUnsupported = errors.New("unsupported by this backend")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store is closed")
	// ErrInvalid is returned for a malformed argument, such as a trace id
	// that is not 32 hex digits.
	ErrInvalid = errors.New("invalid argument")
)

// Capabilities say which optional parts of the contract a store implements.
// They are opt-out: a store that can do everything returns the zero value.
type Capabilities struct {
	// NoQuery: every query method and ReadAll return ErrUnsupported.
	NoQuery bool
	// NoRetention: Prune returns ErrUnsupported.
	NoRetention bool
}

// Store keeps telemetry records and answers queries about them.
//
// All methods are safe for concurrent use.
//
// Write: when Write returns nil, every record of the batch is durable to the
// store's own standard (memory: held in the process; sqlite: committed in
// one transaction to the WAL; postgresql: committed; otlp: accepted by the
// remote endpoint) and visible to every query that starts afterwards.
// When Write returns an error, the caller may retry the same batch: records
// are keyed by their ids (SpanID; EventID; MetricID; LogID), and writing a record
// whose id is already stored leaves one copy. Write never modifies the
// batch. Errors that retrying cannot fix wrap ErrInvalid: every store checks
// ids with ValidateBatch first and writes nothing of a batch it refuses.
// Queries given a malformed trace id return ErrInvalid too.
//
// Timestamps keep at least microsecond precision (PostgreSQL's
// timestamptz); memory and sqlite keep nanoseconds.
//
// Traces are derived from spans as documented on Trace, whatever the order
// and batching of the spans that make them.
//
// Queries return empty slices, not errors, when nothing matches, and apply
// EffectiveLimit to their Limit. Their order is documented on each query type.
//
// Prune deletes traces whose EndTime is before the cutoff together with
// their spans, spans of those traces' ids, events and metric points whose
// Timestamp is before the cutoff, and log records whose Time() is.
//
// ReadAll calls fn with every stored record, in batches of at most batchSize
// records, in an unspecified order; it stops at fn's first error and returns
// it. batchSize must be positive (ErrInvalid otherwise). It is what
// `sink migrate` copies with.
//
// Close releases the store's resources; a store flushes nothing on Close
// because Write is already durable. Calls after Close return ErrClosed;
// Close is idempotent: a second Close returns nil.
type Store interface {
	Write(ctx context.Context, b *Batch) error

	QueryTraces(ctx context.Context, q TraceQuery) ([]Trace, error)
	GetTrace(ctx context.Context, traceID string) (*TraceDetail, error)
	QuerySpans(ctx context.Context, q SpanQuery) ([]Span, error)
	QueryEvents(ctx context.Context, q EventQuery) ([]Event, error)
	QueryMetrics(ctx context.Context, q MetricQuery) ([]Metric, error)
	QueryLogs(ctx context.Context, q LogQuery) ([]LogRecord, error)
	AggregateMetrics(ctx context.Context, q AggregateQuery) ([]Aggregate, error)

	Prune(ctx context.Context, before time.Time) (PruneResult, error)
	ReadAll(ctx context.Context, batchSize int, fn func(*Batch) error) error

	Capabilities() Capabilities
	Close() error
}
