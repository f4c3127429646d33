package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// QueryTraces lists trace rows, newest first.
func (s *Store) QueryTraces(ctx context.Context, q store.TraceQuery) ([]store.Trace, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	query, args := dialect.ListTraces(traceCols, q)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, func(sc scanner) (store.Trace, error) {
		r, err := readTrace(sc)
		if err != nil {
			return store.Trace{}, err
		}
		return r.Trace, nil
	})
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
	r, err := readTrace(s.reader.QueryRowContext(ctx, "SELECT "+traceCols+" FROM traces WHERE trace_id = ?", traceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("trace %s: %w", traceID, store.ErrNotFound)
	}
	if err != nil {
		return nil, wrap("get trace", err)
	}
	rows, err := s.reader.QueryContext(ctx, "SELECT "+spanCols+
		" FROM spans WHERE trace_id = ? ORDER BY start_time, span_id", traceID)
	spans, err := collect(rows, err, readSpan)
	if err != nil {
		return nil, wrap("get trace", err)
	}
	return &store.TraceDetail{Trace: r.Trace, Spans: spans}, nil
}

// QuerySpans lists spans, newest first.
func (s *Store) QuerySpans(ctx context.Context, q store.SpanQuery) ([]store.Span, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	query, args := dialect.ListSpans(spanCols, q)
	rows, err := s.reader.QueryContext(ctx, query, args...)
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
	query, args := dialect.ListEvents(eventCols, q)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, readEvent)
	return out, wrap("query events", err)
}

// QueryMetrics lists metric points, newest first.
func (s *Store) QueryMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	query, args := dialect.ListMetrics(metricCols, q)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, readMetric)
	return out, wrap("query metrics", err)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
