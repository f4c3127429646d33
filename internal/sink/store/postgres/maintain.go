package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// aggregatePoints aggregates the points that match the attribute filter
// in SQL, where percentile_cont is the contract's definition of the
// percentiles.
func (s *Store) aggregatePoints(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
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
	return out, err
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
		return tx.QueryRow(ctx, pruneSQL, before).Scan(&r.Traces, &r.Spans, &r.Events, &r.Metrics, &r.Logs)
	})
	if err != nil {
		return store.PruneResult{}, wrap("prune", err)
	}
	return r, nil
}

// runsLock is the advisory lock key of Prune and compaction, which rewrite
// value runs; sql/migrate.sql uses the one before it.
const runsLock = 7305712026
