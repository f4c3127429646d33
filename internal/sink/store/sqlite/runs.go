package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/valueruns"
)

// afterSchema fills what a schema file adds from data that older versions
// stored, in the file's transaction, so that a crash never leaves a
// database at the new version without it.
var afterSchema = map[string]func(context.Context, *sql.Tx) error{
	"schema/0003_metric_runs.sql": backfillRuns,
}

// backfillFlush is how many points the backfill gathers before it writes
// their runs; it writes only between two minutes, so each name and minute
// still gets one run.
const backfillFlush = 1 << 16

// backfillRuns makes the runs of every stored point, one per name and
// minute.
func backfillRuns(ctx context.Context, tx *sql.Tx) error {
	ins, err := tx.PrepareContext(ctx, insertRunSQL())
	if err != nil {
		return err
	}
	defer func() { _ = ins.Close() }()
	page, err := pageSize(ctx, tx)
	if err != nil {
		return err
	}
	return rebuildRuns(ctx, tx, ins, page, "SELECT name, timestamp, value FROM metrics "+
		"WHERE value IS NOT NULL ORDER BY name, timestamp")
}

// rebuildRuns makes runs of the points a query returns as (name,
// timestamp, value), ordered by name and time.
func rebuildRuns(ctx context.Context, tx *sql.Tx, ins *sql.Stmt, page int, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	var b valueruns.Builder
	var lastName string
	var lastMinute int64
	for rows.Next() {
		var name string
		var ts int64
		var v float64
		if err := rows.Scan(&name, &ts, &v); err != nil {
			return err
		}
		minute := valueruns.MinuteStart(ts)
		if b.Len() >= backfillFlush && (name != lastName || minute != lastMinute) {
			if err := insertRuns(ctx, ins, page, b.Runs()); err != nil {
				return err
			}
		}
		b.Add(name, v, ts)
		lastName, lastMinute = name, minute
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return insertRuns(ctx, ins, page, b.Runs())
}

func insertRunSQL() string {
	body, err := sqlFS.ReadFile("sql/insert_run.sql")
	if err != nil {
		panic(err) // The file is embedded: only a build mistake gets here.
	}
	return string(body)
}

// inlineRun is how many bytes of points a row of metric_runs holds on its
// b-tree page: SQLite stores a row's payload above the page size less 35
// bytes in overflow pages, and reading a column from those costs a read
// per page and an allocation per row (with modernc's allocator, a mmap and
// munmap pair), which made aggregations several times slower. The margin
// covers the record header and the other columns.
func inlineRun(pageSize int, name string) int { return pageSize - 100 - len(name) }

// insertRuns stores runs as rows that fit their b-tree page.
func insertRuns(ctx context.Context, ins *sql.Stmt, pageSize int, runs []valueruns.Run) error {
	return eachRow(pageSize, runs, func(r valueruns.Run) error {
		_, err := ins.ExecContext(ctx, r.Name, r.Start, r.Count, r.Points)
		return err
	})
}

// eachRow calls put with each row of metric_runs that runs take.
func eachRow(pageSize int, runs []valueruns.Run, put func(valueruns.Run) error) error {
	for _, run := range runs {
		for _, r := range run.Chunks(inlineRun(pageSize, run.Name)) {
			if err := put(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageSize reads the database's page size, which bounds what a row keeps
// inline.
func pageSize(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "PRAGMA page_size").Scan(&n)
	return n, err
}

// aggregateRuns answers an aggregation without an attribute filter from
// the value runs of the name that overlap the time range.
func (s *Store) aggregateRuns(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	from, to := valueruns.Bounds(q.Time, time.Nanosecond)
	lo, hi := valueruns.Overlap(from, to)
	rows, err := s.reader.QueryContext(ctx, "SELECT points FROM metric_runs "+
		"WHERE name = ? AND bucket_start >= ? AND bucket_start < ?", q.Name, lo, hi)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	a := valueruns.NewAggregator(q.Step, from, to)
	for rows.Next() {
		var points sql.RawBytes
		if err := rows.Scan(&points); err != nil {
			return nil, err
		}
		if err := a.Add(points); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return a.Result(), nil
}

// pruneRuns deletes the runs of minutes that start before the cutoff and
// makes the one minute that straddles it again from the points left.
func (s *Store) pruneRuns(ctx context.Context, tx *sql.Tx, cut int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM metric_runs WHERE bucket_start < ?", cut); err != nil {
		return err
	}
	minute := valueruns.MinuteStart(cut)
	if minute == cut {
		return nil
	}
	return rebuildRuns(ctx, tx, tx.StmtContext(ctx, s.runStmt), s.pageSize, "SELECT name, timestamp, value "+
		"FROM metrics WHERE timestamp >= ? AND timestamp < ? AND value IS NOT NULL ORDER BY name, timestamp",
		cut, minute+valueruns.Minute)
}
