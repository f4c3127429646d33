package sqlite

import (
	"context"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// aggregatePoints aggregates the points that match the attribute filter
// in Go, since SQLite has no percentile_cont, reading them in time order.
func (s *Store) aggregatePoints(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	w := dialect.Where().AggregateQuery(q)
	w.Add("value IS NOT NULL") // NULL holds NaN
	rows, err := s.reader.QueryContext(ctx, "SELECT timestamp, value FROM metrics"+w.String()+
		" ORDER BY timestamp", w.Args()...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := []store.Aggregate{}
	var values []float64
	var bucket, first int64
	for rows.Next() {
		var ts int64
		var v float64
		if err := rows.Scan(&ts, &v); err != nil {
			return nil, err
		}
		if b := store.BucketStart(ts, q.Step); len(values) == 0 || b != bucket {
			out = flush(out, q.Step, bucket, first, values)
			values, bucket, first = values[:0], b, ts
		}
		values = append(values, v)
	}
	return flush(out, q.Step, bucket, first, values), rows.Err()
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
		{&r.Logs, "DELETE FROM logs WHERE timestamp < ?"},
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
