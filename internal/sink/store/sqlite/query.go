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
	query, args := traceListSQL(q)
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

// traceListSQL is the statement that lists q's traces and its arguments.
// Listings by status walk idx_traces_status_start_time_trace_id in the
// listing order (schema 0006).
func traceListSQL(q store.TraceQuery) (string, []any) {
	var w where
	w.eq("status", q.Status)
	w.eq("name", q.Name)
	w.between("start_time", q.Time)
	w.attributes(q.Attributes, "attributes")
	return "SELECT " + traceCols + " FROM traces" + w.String() + " ORDER BY start_time DESC, trace_id LIMIT ?",
		append(w.args, store.EffectiveLimit(q.Limit))
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
	var w where
	w.eq("trace_id", q.TraceID)
	w.eq("name", q.Name)
	w.between("start_time", q.Time)
	w.attributes(q.Attributes, "attributes", "resource")
	rows, err := s.reader.QueryContext(ctx, "SELECT "+spanCols+" FROM spans"+w.String()+
		" ORDER BY start_time DESC, span_id LIMIT ?", append(w.args, store.EffectiveLimit(q.Limit))...)
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
	var w where
	w.eq("trace_id", q.TraceID)
	w.eq("type", q.Type)
	w.eq("name", q.Name)
	w.between("timestamp", q.Time)
	rows, err := s.reader.QueryContext(ctx, "SELECT "+eventCols+" FROM events"+w.String()+
		" ORDER BY timestamp DESC, event_id LIMIT ?", append(w.args, store.EffectiveLimit(q.Limit))...)
	out, err := collect(rows, err, readEvent)
	return out, wrap("query events", err)
}

// QueryMetrics lists metric points, newest first.
func (s *Store) QueryMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	var w where
	w.eq("name", q.Name)
	w.between("timestamp", q.Time)
	w.attributes(q.Attributes, "attributes", "resource")
	rows, err := s.reader.QueryContext(ctx, "SELECT "+metricCols+" FROM metrics"+w.String()+
		" ORDER BY timestamp DESC, metric_id LIMIT ?", append(w.args, store.EffectiveLimit(q.Limit))...)
	out, err := collect(rows, err, readMetric)
	return out, wrap("query metrics", err)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
