package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// AggregateMetrics computes from the value runs without an attribute
// filter; with one, it aggregates the matching points in SQL, where
// percentile_cont is the contract's definition of the percentiles.
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
	w := dialect.Where()
	start, group := "min(timestamp)", " HAVING count(*) > 0"
	if q.Step > 0 {
		start = "date_bin(" + w.Arg(q.Step) + "::interval, timestamp, TIMESTAMPTZ 'epoch')"
		group = " GROUP BY 1 ORDER BY 1"
	}
	w.AggregateQuery(q)
	w.Add("value <> 'NaN'::float8") // NaN equals NaN in PostgreSQL
	sql := "SELECT " + start + ", count(*), sum(value), avg(value), min(value), max(value), " +
		"percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY value) FROM metrics" + w.String() + group
	var out []store.Aggregate
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The percentiles sort every value of a bucket; with the default
		// work_mem (4MB) a million points spill the sort to disk.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '"+aggregateWorkMem+"'"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sql, w.Args()...)
		out, err = collect(rows, err, readAggregate)
		return err
	})
	return out, wrap("aggregate", err)
}

// aggregateWorkMem is the sort memory of one aggregation: a million points
// sort in about 80MB; it is released when the query ends.
const aggregateWorkMem = "128MB"

func readAggregate(row pgx.CollectableRow) (store.Aggregate, error) {
	var a store.Aggregate
	var p []float64
	err := row.Scan(&a.Start, &a.Count, &a.Sum, &a.Avg, &a.Min, &a.Max, &p)
	a.Start = a.Start.UTC()
	if err == nil && len(p) == 3 {
		a.P50, a.P95, a.P99 = p[0], p[1], p[2]
	}
	return a, err
}

// Prune deletes what the contract says, in one statement (sql/prune.sql),
// under a lock that makes the prunes and compactions of several replicas
// take turns: a prune rebuilds the value runs of the minute that straddles
// its cutoff from the points it sees, which two at once would count twice.
// It runs in READ COMMITTED, whatever the database's default, as deleting
// traces requires (schema/0006_span_trace_check.sql).
func (s *Store) Prune(ctx context.Context, before time.Time) (store.PruneResult, error) {
	var r store.PruneResult
	if err := s.open(ctx); err != nil {
		return r, err
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", runsLock); err != nil {
			return err
		}
		return tx.QueryRow(ctx, pruneSQL, before).Scan(&r.Traces, &r.Spans, &r.Events, &r.Metrics)
	})
	if err != nil {
		return store.PruneResult{}, wrap("prune", err)
	}
	return r, nil
}

// runsLock is the advisory lock key of Prune and compaction, which rewrite
// value runs; sql/migrate.sql uses the one before it.
const runsLock = 7305712026

// ReadAll pages through each table by primary key, so no cursor stays open
// while fn runs.
func (s *Store) ReadAll(ctx context.Context, batchSize int, fn func(*store.Batch) error) error {
	if batchSize <= 0 {
		return fmt.Errorf("%w: batch size %d", store.ErrInvalid, batchSize)
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	err := pages(ctx, s, "SELECT "+spanCols+" FROM spans WHERE (trace_id, span_id) > ($1::uuid, $2) ORDER BY trace_id, span_id LIMIT $3",
		[]any{zeroUUID, ""}, batchSize, readSpan, func(sp store.Span) []any { return []any{sp.TraceID, sp.SpanID} },
		func(p []store.Span) error { return fn(&store.Batch{Spans: p}) })
	if err == nil {
		err = pages(ctx, s, "SELECT "+eventCols+" FROM events WHERE event_id > $1::uuid ORDER BY event_id LIMIT $2",
			[]any{zeroUUID}, batchSize, readEvent, func(e store.Event) []any { return []any{e.EventID} },
			func(p []store.Event) error { return fn(&store.Batch{Events: p}) })
	}
	if err == nil {
		err = pages(ctx, s, "SELECT "+metricCols+" FROM metrics WHERE metric_id > $1::uuid ORDER BY metric_id LIMIT $2",
			[]any{zeroUUID}, batchSize, readMetric, func(m store.Metric) []any { return []any{m.MetricID} },
			func(p []store.Metric) error { return fn(&store.Batch{Metrics: p}) })
	}
	return err
}

// zeroUUID starts a page walk; the all-zero id itself is never a record,
// because the sink draws ids at random.
const zeroUUID = "00000000000000000000000000000000"

// pages runs sql, whose parameters are a key and a limit, from the key after
// on, then each time after the key of the last record it read.
func pages[T any](ctx context.Context, s *Store, sql string, after []any, size int,
	read pgx.RowToFunc[T], key func(T) []any, emit func([]T) error) error {
	for {
		rows, err := s.pool.Query(ctx, sql, append(after, size)...)
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
		after = key(page[len(page)-1])
	}
}
