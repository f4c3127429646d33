package sqlquery

import (
	"context"
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// ReadAll pages through spans, events, metric points and log records by
// primary key, so
// that no cursor stays open while fn runs. Trace rows are left out: stores
// derive them from the spans.
func (q *Queries) ReadAll(ctx context.Context, batchSize int, fn func(*store.Batch) error) error {
	if batchSize <= 0 {
		return fmt.Errorf("%w: batch size %d", store.ErrInvalid, batchSize)
	}
	if err := q.db.Open(ctx); err != nil {
		return err
	}
	d := q.d
	err := keyWalk[store.Span]{q.t.Spans, d.spanPage(q.t.Spans.Cols), []any{d.FirstID, ""},
		func(sp *store.Span) []any { return []any{sp.TraceID, sp.SpanID} },
		func(p []store.Span) *store.Batch { return &store.Batch{Spans: p} }}.run(ctx, q, batchSize, fn)
	if err == nil {
		err = keyWalk[store.Event]{q.t.Events, d.idPage(q.t.Events.Cols, "events", "event_id"), []any{d.FirstID},
			func(e *store.Event) []any { return []any{e.EventID} },
			func(p []store.Event) *store.Batch { return &store.Batch{Events: p} }}.run(ctx, q, batchSize, fn)
	}
	if err == nil {
		err = keyWalk[store.Metric]{q.t.Metrics, d.idPage(q.t.Metrics.Cols, "metrics", "metric_id"), []any{d.FirstID},
			func(m *store.Metric) []any { return []any{m.MetricID} },
			func(p []store.Metric) *store.Batch { return &store.Batch{Metrics: p} }}.run(ctx, q, batchSize, fn)
	}
	if err == nil {
		err = keyWalk[store.LogRecord]{q.t.Logs, d.idPage(q.t.Logs.Cols, "logs", "log_id"), []any{d.FirstID},
			func(l *store.LogRecord) []any { return []any{l.LogID} },
			func(p []store.LogRecord) *store.Batch { return &store.Batch{Logs: p} }}.run(ctx, q, batchSize, fn)
	}
	return err
}

// keyWalk reads one table a page at a time in key order.
type keyWalk[T any] struct {
	table Table[T]
	// page reads the page after a key: the key's columns, then the page
	// size, are its parameters. first is the key before every record.
	page  string
	first []any
	key   func(*T) []any
	batch func([]T) *store.Batch
}

// run gives fn each page of up to size records, from the first key on,
// then each time from the key of the last record it read.
func (k keyWalk[T]) run(ctx context.Context, q *Queries, size int, fn func(*store.Batch) error) error {
	after := k.first
	for {
		page, err := collect(ctx, q.db, k.table.Read, Statement{k.page, append(after, size)})
		if err != nil {
			return q.wrap("read all", err)
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(k.batch(page)); err != nil {
			return err
		}
		after = k.key(&page[len(page)-1])
	}
}
