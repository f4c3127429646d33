package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/valueruns"
)

// Compaction merges the small value runs that several writes made for one
// name and minute, so that aggregations read fewer rows and select across
// fewer runs: the sink writes batches of 100 records by default, which
// would leave a busy metric with one small run per write and minute. A
// pass runs after a write when compactEvery has passed, looks at the names
// and minutes that got runs since the last pass (compactRows runs at most;
// with more left, the next write runs another pass), and merges each one's
// runs of fewer than runPoints/2 points into runs of up to runPoints, and
// cuts runs above runPoints (the trigger makes one run per write and
// minute, however large). Other runs stay as they are, so a pass rewrites
// fewer than runPoints/2 points per name and minute, besides the points
// written since the last pass, however late or out of order they arrive.
// Passes of all replicas and Prune take turns under runsLock; writers only
// add runs, so a pass deletes exactly the rows it read.
//
// A run whose id a pass has passed while its write had not committed yet
// is merged only when its minute gets another run; such leftovers are a
// few per pass at most.
const (
	compactEvery = 5 * time.Second
	compactRows  = 2000
	// runPoints is the most points a compacted row holds, as in
	// schema/0003 and sql/prune.sql.
	runPoints = 500
)

type compaction struct {
	mu   sync.Mutex
	next time.Time
}

// compactAfterWrite runs a pass when one is due and no other writer of
// this store is running one. The write has committed by then, so a failed
// pass is not the write's failure; a later pass does the work instead.
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
	if more, err := s.compactRuns(ctx, compactRows); more && err == nil {
		c.next = now
	}
}

// compactRuns merges the small runs of every name and minute that has a
// run among the next limit ids past the last pass, in one transaction, and
// reports whether ids are left for another pass. It does nothing while
// another replica's pass or a Prune holds runsLock.
func (s *Store) compactRuns(ctx context.Context, limit int64) (more bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", runsLock).Scan(&locked); err != nil || !locked {
			return err
		}
		var done, top int64
		if err := tx.QueryRow(ctx, "SELECT upto, (SELECT coalesce(max(id), 0) FROM metric_runs) "+
			"FROM metric_runs_compacted").Scan(&done, &top); err != nil {
			return err
		}
		hi := min(top, done+limit)
		if err := rewriteTouched(ctx, tx, done, hi); err != nil {
			return err
		}
		more = top > hi
		_, err := tx.Exec(ctx, "UPDATE metric_runs_compacted SET upto = $1", hi)
		return err
	})
	return more, err
}

// rewriteTouched replaces the small and the oversized runs of each name
// and minute that has a run of id in (from, to] with their merge, cut into
// rows of runPoints, unless they are one run of one row already: one read,
// one delete and one insert for all of them.
func rewriteTouched(ctx context.Context, tx pgx.Tx, from, to int64) error {
	rows, err := tx.Query(ctx, "SELECT id, name, bucket_start, points FROM metric_runs "+
		"WHERE (count < $3 OR count > $4) AND (name, bucket_start) IN "+
		"(SELECT name, bucket_start FROM metric_runs WHERE id > $1 AND id <= $2) "+
		"ORDER BY name, bucket_start, id", from, to, runPoints/2, runPoints)
	if err != nil {
		return err
	}
	keys, err := groupRuns(rows)
	if err != nil {
		return err
	}
	var gone []int64
	var add runColumns
	for _, k := range keys {
		merged, err := valueruns.Compact(k.name, k.start, k.ids, k.runs, runPoints*valueruns.PairSize)
		if err != nil {
			return err
		}
		if merged != nil {
			gone = append(gone, k.ids...)
			add.append(merged)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "DELETE FROM metric_runs WHERE id = ANY($1)", gone); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO metric_runs (id, name, bucket_start, count, points) "+
		"SELECT coalesce(nullif(id, 0), nextval(pg_get_serial_sequence('metric_runs', 'id'))), name, start, n, points "+
		"FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::bytea[]) AS r(id, name, start, n, points)",
		add.ids, add.names, add.starts, add.counts, add.points)
	return err
}

// smallRuns are one name and minute's small runs, oldest first.
type smallRuns struct {
	name  string
	start int64
	ids   []int64
	runs  [][]byte
}

func groupRuns(rows pgx.Rows) ([]*smallRuns, error) {
	defer rows.Close()
	var out []*smallRuns
	for rows.Next() {
		var id int64
		var name string
		var start time.Time
		var points []byte
		if err := rows.Scan(&id, &name, &start, &points); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != name || out[len(out)-1].start != start.UnixNano() {
			out = append(out, &smallRuns{name: name, start: start.UnixNano()})
		}
		k := out[len(out)-1]
		k.ids, k.runs = append(k.ids, id), append(k.runs, points)
	}
	return out, rows.Err()
}

// runColumns are runs to insert, column by column, for unnest.
type runColumns struct {
	ids    []int64
	names  []string
	starts []time.Time
	counts []int32
	points [][]byte
}

func (c *runColumns) append(runs []valueruns.Run) {
	for _, r := range runs {
		c.ids = append(c.ids, r.ID)
		c.names = append(c.names, r.Name)
		c.starts = append(c.starts, time.Unix(0, r.Start))
		c.counts = append(c.counts, int32(r.Count))
		c.points = append(c.points, r.Points)
	}
}
