package postgres

import (
	"context"
	"math"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/valueruns"
)

// aggregateRuns answers an aggregation without an attribute filter from
// the value runs of the name that overlap the time range. Bounds are
// truncated to microseconds, as PostgreSQL compares the points' own
// timestamps with them.
func (s *Store) aggregateRuns(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error) {
	from, to := valueruns.Bounds(q.Time, time.Microsecond)
	lo, hi := valueruns.Overlap(from, to)
	w := dialect.Where()
	w.Eq("name", q.Name)
	if lo != math.MinInt64 {
		w.Add("bucket_start >= " + w.Arg(time.Unix(0, lo)))
	}
	if hi != math.MaxInt64 {
		w.Add("bucket_start < " + w.Arg(time.Unix(0, hi)))
	}
	rows, err := s.pool.Query(ctx, "SELECT points FROM metric_runs"+w.String(), w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	a := valueruns.NewAggregator(q.Step, from, to)
	for rows.Next() {
		// The raw value is bytea's binary form, the bytes themselves, valid
		// until the next row: Add copies what it keeps.
		if err := a.Add(rows.RawValues()[0]); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return a.Result(), nil
}
