package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// AggregateMetrics computes in Go, since SQLite has no percentile_cont:
// from the value runs without an attribute filter, else from the matching
// points read in time order.
func (s *Store) AggregateMetrics(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	if len(q.Attributes) == 0 {
		out, err := s.aggregateRuns(ctx, q)
		return out, wrap("aggregate", err)
	}
	w := dialect.Where().AggregateQuery(q)
	w.Add("value IS NOT NULL") // NULL holds NaN
	rows, err := s.reader.QueryContext(ctx, "SELECT timestamp, value FROM metrics"+w.String()+
		" ORDER BY timestamp", w.Args()...)
	if err != nil {
		return nil, wrap("aggregate", err)
	}
	defer func() { _ = rows.Close() }()
	out := []store.Aggregate{}
	var values []float64
	var bucket, first int64
	for rows.Next() {
		var ts int64
		var v float64
		if err := rows.Scan(&ts, &v); err != nil {
			return nil, wrap("aggregate", err)
		}
		if b := store.BucketStart(ts, q.Step); len(values) == 0 || b != bucket {
			out = flush(out, q.Step, bucket, first, values)
			values, bucket, first = values[:0], b, ts
		}
		values = append(values, v)
	}
	return flush(out, q.Step, bucket, first, values), wrap("aggregate", rows.Err())
}

// flush appends the bucket just completed; with no step, its start is the
// earliest point instead of a multiple of the step.
func flush(out []store.Aggregate, step time.Duration, bucket, first int64, values []float64) []store.Aggregate {
	if len(values) == 0 {
		return out
	}
	start := bucket
	if step <= 0 {
		start = first
	}
	return append(out, store.Summarize(ns(start), values))
}

// Prune deletes old rows, and the value runs of their points, in one write
// transaction.
func (s *Store) Prune(ctx context.Context, before time.Time) (store.PruneResult, error) {
	var r store.PruneResult
	if err := s.open(ctx); err != nil {
		return r, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return r, wrap("prune", err)
	}
	defer func() { _ = tx.Rollback() }()
	cut := before.UnixNano()
	for _, step := range []struct {
		n   *int64
		sql string
	}{
		{&r.Spans, "DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE end_time < ?)"},
		{&r.Traces, "DELETE FROM traces WHERE end_time < ?"},
		{&r.Events, "DELETE FROM events WHERE timestamp < ?"},
		{&r.Metrics, "DELETE FROM metrics WHERE timestamp < ?"},
	} {
		res, err := tx.ExecContext(ctx, step.sql, cut)
		if err != nil {
			return store.PruneResult{}, wrap("prune", err)
		}
		if *step.n, err = res.RowsAffected(); err != nil {
			return store.PruneResult{}, wrap("prune", err)
		}
	}
	if err := s.pruneRuns(ctx, tx, cut); err != nil {
		return store.PruneResult{}, wrap("prune", err)
	}
	return r, wrap("prune", tx.Commit())
}

// ReadAll pages through each table by primary key, so no cursor stays open
// while fn runs.
func (s *Store) ReadAll(ctx context.Context, batchSize int, fn func(*store.Batch) error) error {
	if batchSize <= 0 {
		return fmt.Errorf("%w: batch size %d", store.ErrInvalid, batchSize)
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	err := pages(ctx, s.reader, "SELECT "+spanCols+" FROM spans WHERE (trace_id, span_id) > (?, ?) ORDER BY trace_id, span_id LIMIT ?",
		batchSize, []any{"", ""}, readSpan, func(sp *store.Span) []any { return []any{sp.TraceID, sp.SpanID} },
		func(p []store.Span) error { return fn(&store.Batch{Spans: p}) })
	if err == nil {
		err = pages(ctx, s.reader, "SELECT "+eventCols+" FROM events WHERE event_id > ? ORDER BY event_id LIMIT ?",
			batchSize, []any{""}, readEvent, func(e *store.Event) []any { return []any{e.EventID} },
			func(p []store.Event) error { return fn(&store.Batch{Events: p}) })
	}
	if err == nil {
		err = pages(ctx, s.reader, "SELECT "+metricCols+" FROM metrics WHERE metric_id > ? ORDER BY metric_id LIMIT ?",
			batchSize, []any{""}, readMetric, func(m *store.Metric) []any { return []any{m.MetricID} },
			func(p []store.Metric) error { return fn(&store.Batch{Metrics: p}) })
	}
	return err
}

// pages runs query, whose placeholders are a key and a limit, from the key
// after on, then each time after the key of the last record it read.
func pages[T any](ctx context.Context, db *sql.DB, query string, size int, after []any,
	read func(scanner) (T, error), key func(*T) []any, emit func([]T) error) error {
	for {
		rows, err := db.QueryContext(ctx, query, append(after, size)...)
		page, err := collect(rows, err, read)
		if err != nil {
			return wrap("read all", err)
		}
		if len(page) == 0 {
			return nil
		}
		if err := emit(page); err != nil {
			return err
		}
		after = key(&page[len(page)-1])
	}
}
