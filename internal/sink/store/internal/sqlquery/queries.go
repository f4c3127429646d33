package sqlquery

import (
	"context"
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Queries implements the query methods of store.Store that the SQL stores
// answer alike; a store embeds the one New makes for it, so that it has
// them as its own methods.
type Queries struct {
	d                    *Dialect
	t                    *Tables
	db                   DB
	fromRuns, fromPoints Aggregation
	// GetTrace's statements depend on the trace id only through their
	// parameter, so they are written once.
	traceByID, spansByTraceID string
}

// New returns the queries of a store that speaks d, reads records as t
// says, reaches its database through db and aggregates with fromRuns
// without an attribute filter, with fromPoints with one.
func New(d *Dialect, t *Tables, db DB, fromRuns, fromPoints Aggregation) Queries {
	return Queries{d: d, t: t, db: db, fromRuns: fromRuns, fromPoints: fromPoints,
		traceByID:      d.byTraceID(t.Traces.Cols, "traces", ""),
		spansByTraceID: d.byTraceID(t.Spans.Cols, "spans", "start_time, span_id")}
}

// QueryTraces lists trace rows, newest first.
func (q *Queries) QueryTraces(ctx context.Context, tq store.TraceQuery) ([]store.Trace, error) {
	return run(ctx, q, "query traces", q.t.Traces, q.d.ListTraces(q.t.Traces.Cols, tq))
}

// GetTrace reads the trace row, then its spans.
func (q *Queries) GetTrace(ctx context.Context, traceID string) (*store.TraceDetail, error) {
	if !store.ValidTraceID(traceID) {
		return nil, fmt.Errorf("%w: trace id %q is not 32 lowercase hex digits", store.ErrInvalid, traceID)
	}
	traces, err := run(ctx, q, "get trace", q.t.Traces, Statement{q.traceByID, []any{traceID}})
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, fmt.Errorf("trace %s: %w", traceID, store.ErrNotFound)
	}
	spans, err := collect(ctx, q.db, q.t.Spans.Read, Statement{q.spansByTraceID, []any{traceID}})
	if err != nil {
		return nil, q.wrap("get trace", err)
	}
	return &store.TraceDetail{Trace: traces[0], Spans: spans}, nil
}

// QuerySpans lists spans, newest first.
func (q *Queries) QuerySpans(ctx context.Context, sq store.SpanQuery) ([]store.Span, error) {
	if err := store.ValidateQueryTraceID(sq.TraceID); err != nil {
		return nil, err
	}
	return run(ctx, q, "query spans", q.t.Spans, q.d.ListSpans(q.t.Spans.Cols, sq))
}

// QueryEvents lists events, newest first.
func (q *Queries) QueryEvents(ctx context.Context, eq store.EventQuery) ([]store.Event, error) {
	if err := store.ValidateQueryTraceID(eq.TraceID); err != nil {
		return nil, err
	}
	return run(ctx, q, "query events", q.t.Events, q.d.ListEvents(q.t.Events.Cols, eq))
}

// QueryMetrics lists metric points, newest first.
func (q *Queries) QueryMetrics(ctx context.Context, mq store.MetricQuery) ([]store.Metric, error) {
	return run(ctx, q, "query metrics", q.t.Metrics, q.d.ListMetrics(q.t.Metrics.Cols, mq))
}

// AggregateMetrics answers from the value runs without an attribute
// filter, and from the matching points with one.
func (q *Queries) AggregateMetrics(ctx context.Context, aq store.AggregateQuery) ([]store.Aggregate, error) {
	if err := aq.Validate(); err != nil {
		return nil, err
	}
	if err := q.db.Open(ctx); err != nil {
		return nil, err
	}
	aggregate := q.fromPoints
	if len(aq.Attributes) == 0 {
		aggregate = q.fromRuns
	}
	out, err := aggregate(ctx, aq)
	return out, q.wrap("aggregate", err)
}

// run runs a statement on an open store; what names it in errors.
func run[T any](ctx context.Context, q *Queries, what string, t Table[T], st Statement) ([]T, error) {
	if err := q.db.Open(ctx); err != nil {
		return nil, err
	}
	out, err := collect(ctx, q.db, t.Read, st)
	return out, q.wrap(what, err)
}

// wrap is the store's Wrap, which a nil error passes through.
func (q *Queries) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return q.db.Wrap(what, err)
}
