package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/valueruns"
)

// Compaction merges the small value runs that several writes made for one
// name and minute, so that aggregations read fewer rows and select across
// fewer runs: the sink writes batches of 100 records by default, which
// would leave a busy metric with one small run per write and minute. A
// pass runs after a write when compactEvery has passed or writes have made
// compactBacklog runs since the last one, takes the names and minutes that
// writes gave runs since the last pass (compactKeys at most; with more
// left, the next write runs another pass), and merges each one's runs of
// less than half a row into full rows. Rows half full or more stay as they
// are, so a pass rewrites less than half a row per name and minute however
// late or out of order points arrive, and a minute ends up with runs of a
// hundred points or more but one, which is what aggregations need.
//
// The names and minutes to look at are kept in memory: one process owns
// the file, and writes it alone. Those of writes made in the last seconds
// before a restart are not merged; aggregations read them as they are.
const (
	compactEvery   = 5 * time.Second
	compactBacklog = 2000
	compactKeys    = 1000
)

type compaction struct {
	mu   sync.Mutex // held by a pass
	next time.Time

	touchedMu sync.Mutex
	touched   map[runKey]struct{}
	backlog   int // runs written since the last pass began
}

type runKey struct {
	name  string
	start int64
}

// touch records the names and minutes that runs were written for.
func (c *compaction) touch(runs []valueruns.Run) {
	c.touchedMu.Lock()
	defer c.touchedMu.Unlock()
	if c.touched == nil {
		c.touched = map[runKey]struct{}{}
	}
	for _, r := range runs {
		c.touched[runKey{r.Name, r.Start}] = struct{}{}
	}
	c.backlog += len(runs)
}

// due reports whether a pass is due at now.
func (c *compaction) due(now time.Time) bool {
	c.touchedMu.Lock()
	defer c.touchedMu.Unlock()
	return !now.Before(c.next) || c.backlog >= compactBacklog
}

// take removes and returns up to n of the recorded names and minutes, and
// reports whether more are left.
func (c *compaction) take(n int) (keys []runKey, more bool) {
	c.touchedMu.Lock()
	defer c.touchedMu.Unlock()
	c.backlog = 0
	for k := range c.touched {
		if len(keys) == n {
			return keys, true
		}
		keys = append(keys, k)
		delete(c.touched, k)
	}
	return keys, false
}

func (c *compaction) putBack(keys []runKey) {
	c.touchedMu.Lock()
	defer c.touchedMu.Unlock()
	for _, k := range keys {
		c.touched[k] = struct{}{}
	}
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
	if !c.due(now) {
		return
	}
	c.next = now.Add(compactEvery)
	// Without ctx's cancellation: the database/sql driver would start a
	// goroutine per statement to watch it, and a pass is short.
	if more, err := s.compactRuns(context.WithoutCancel(ctx), compactKeys); more && err == nil {
		c.next = now
	}
}

// compactRuns merges the small runs of up to limit of the names and
// minutes written since the last pass, in one write transaction, and
// reports whether more are left for another pass.
func (s *Store) compactRuns(ctx context.Context, limit int) (more bool, err error) {
	keys, more := s.compaction.take(limit)
	if len(keys) == 0 {
		return false, nil
	}
	defer func() {
		if err != nil {
			s.compaction.putBack(keys)
		}
	}()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	small := inlineRun(s.pageSize, "") / valueruns.PairSize / 2
	for _, k := range keys {
		if err := s.rewrite(ctx, tx, k, small); err != nil {
			return false, err
		}
	}
	return more, tx.Commit()
}

// rewrite replaces one name and minute's runs of fewer than small points
// with their merge, unless they already make one sorted run.
func (s *Store) rewrite(ctx context.Context, tx *sql.Tx, k runKey, small int) error {
	rows, err := tx.QueryContext(ctx, "SELECT rowid, points FROM metric_runs "+
		"WHERE name = ? AND bucket_start = ? AND count < ? ORDER BY rowid", k.name, k.start, small)
	if err != nil {
		return err
	}
	var ids []int64
	var runs [][]byte
	for rows.Next() {
		var id int64
		var points []byte
		if err := rows.Scan(&id, &points); err != nil {
			_ = rows.Close()
			return err
		}
		ids, runs = append(ids, id), append(runs, points)
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	merged, err := valueruns.Compact(k.name, k.start, nil, runs, inlineRun(s.pageSize, k.name))
	if err != nil || merged == nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "DELETE FROM metric_runs WHERE rowid = ?", id); err != nil {
			return err
		}
	}
	return insertRuns(ctx, tx.StmtContext(ctx, s.runStmt), s.pageSize, merged)
}
