package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/valueruns"
)

// Compaction merges the small value runs that several writes made for one
// name and minute, so that aggregations read fewer rows and select across
// fewer runs: the sink writes batches of 100 records by default, which
// would leave a busy metric with one small run per write and minute. A
// pass runs after a write when compactEvery has passed, looks at the names
// and minutes that got runs since the last pass (compactRows runs at most;
// with more left, the next write runs another pass), and merges each one's
// runs of less than half a row into full rows. Rows half full or more stay
// as they are, so a pass rewrites less than half a row per name and minute
// however late or out of order points arrive, and a minute ends up with
// runs of a hundred points or more but one, which is what aggregations
// need.
const (
	compactEvery = 5 * time.Second
	compactRows  = 2000
)

type compaction struct {
	mu   sync.Mutex
	next time.Time
}

// compactAfterWrite runs a pass when one is due and no other call is
// running one. The write has committed by then, so a failed pass is not
// the write's failure; a later pass does the work instead.
func (s *Store) compactAfterWrite(ctx context.Context) {
	c := &s.compaction
	if !c.mu.TryLock() {
		return
	}
	defer c.mu.Unlock()
	now := time.Now()
	if now.Before(c.next) {
		return
	}
	c.next = now.Add(compactEvery)
	// Without ctx's cancellation, as in Write: the driver would start a
	// goroutine per statement to watch it, and a pass is short.
	if more, err := s.compactRuns(context.WithoutCancel(ctx), compactRows); more && err == nil {
		c.next = now
	}
}

// compactRuns merges the small runs of every name and minute that has a
// run among the next limit rows past the last pass, in one write
// transaction, and reports whether rows are left for another pass.
func (s *Store) compactRuns(ctx context.Context, limit int64) (more bool, err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	var done, top int64
	if err := tx.QueryRowContext(ctx, "SELECT upto, (SELECT coalesce(max(id), 0) FROM metric_runs) "+
		"FROM metric_runs_compacted").Scan(&done, &top); err != nil {
		return false, err
	}
	hi := min(top, done+limit)
	keys, err := touchedRuns(ctx, tx, done, hi, inlineRun(s.pageSize, "")/valueruns.PairSize/2)
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		if err := s.rewrite(ctx, tx, k); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE metric_runs_compacted SET upto = ?", hi); err != nil {
		return false, err
	}
	return top > hi, tx.Commit()
}

// smallRuns are one name and minute's small runs, oldest first.
type smallRuns struct {
	name  string
	start int64
	ids   []int64
	runs  [][]byte
}

// touchedRuns reads the runs of fewer than small points of the names and
// minutes that have a run of id in (from, to].
func touchedRuns(ctx context.Context, tx *sql.Tx, from, to int64, small int) ([]*smallRuns, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, name, bucket_start, points FROM metric_runs "+
		"WHERE count < ? AND (name, bucket_start) IN "+
		"(SELECT name, bucket_start FROM metric_runs WHERE id > ? AND id <= ?) "+
		"ORDER BY name, bucket_start, id", small, from, to)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []*smallRuns
	for rows.Next() {
		var id, start int64
		var name string
		var points []byte
		if err := rows.Scan(&id, &name, &start, &points); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != name || out[len(out)-1].start != start {
			out = append(out, &smallRuns{name: name, start: start})
		}
		k := out[len(out)-1]
		k.ids, k.runs = append(k.ids, id), append(k.runs, points)
	}
	return out, rows.Err()
}

// rewrite replaces one name and minute's small runs with their merge, in
// rows of the same ids, unless they already make one sorted run.
func (s *Store) rewrite(ctx context.Context, tx *sql.Tx, k *smallRuns) error {
	merged, err := valueruns.Compact(k.name, k.start, k.ids, k.runs, inlineRun(s.pageSize, k.name))
	if err != nil || merged == nil {
		return err
	}
	for _, id := range k.ids {
		if _, err := tx.ExecContext(ctx, "DELETE FROM metric_runs WHERE id = ?", id); err != nil {
			return err
		}
	}
	for _, r := range merged {
		id := sql.NullInt64{Int64: r.ID, Valid: r.ID != 0}
		if _, err := tx.ExecContext(ctx, "INSERT INTO metric_runs (id, name, bucket_start, count, points) "+
			"VALUES (?, ?, ?, ?, ?)", id, r.Name, r.Start, r.Count, r.Points); err != nil {
			return err
		}
	}
	return nil
}
