package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// QueryTraces lists trace rows, newest first.
func (s *Store) QueryTraces(ctx context.Context, q store.TraceQuery) ([]store.Trace, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	sql, args := dialect.ListTraces(traceCols, q)
	rows, err := s.pool.Query(ctx, sql, args...)
	out, err := collect(rows, err, readTrace)
	return out, wrap("query traces", err)
}

// GetTrace reads the trace row, then its spans.
func (s *Store) GetTrace(ctx context.Context, traceID string) (*store.TraceDetail, error) {
	if !store.ValidTraceID(traceID) {
		return nil, fmt.Errorf("%w: trace id %q is not 32 lowercase hex digits", store.ErrInvalid, traceID)
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+traceCols+" FROM traces WHERE trace_id = $1", traceID)
	if err != nil {
		return nil, wrap("get trace", err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, readTrace)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("trace %s: %w", traceID, store.ErrNotFound)
	}
	if err != nil {
		return nil, wrap("get trace", err)
	}
	rows, err = s.pool.Query(ctx, "SELECT "+spanCols+" FROM spans WHERE trace_id = $1 ORDER BY start_time, span_id", traceID)
	spans, err := collect(rows, err, readSpan)
	if err != nil {
		return nil, wrap("get trace", err)
	}
	return &store.TraceDetail{Trace: t, Spans: spans}, nil
}

// QuerySpans lists spans, newest first.
func (s *Store) QuerySpans(ctx context.Context, q store.SpanQuery) ([]store.Span, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	sql, args := dialect.ListSpans(spanCols, q)
	rows, err := s.pool.Query(ctx, sql, args...)
	out, err := collect(rows, err, readSpan)
	return out, wrap("query spans", err)
}

// QueryEvents lists events, newest first.
func (s *Store) QueryEvents(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	sql, args := dialect.ListEvents(eventCols, q)
	rows, err := s.pool.Query(ctx, sql, args...)
	out, err := collect(rows, err, readEvent)
	return out, wrap("query events", err)
}

// QueryMetrics lists metric points, newest first.
func (s *Store) QueryMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	sql, args := dialect.ListMetrics(metricCols, q)
	rows, err := s.pool.Query(ctx, sql, args...)
	out, err := collect(rows, err, readMetric)
	return out, wrap("query metrics", err)
}
