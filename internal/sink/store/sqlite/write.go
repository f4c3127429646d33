package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/tracerow"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/valueruns"
)

// Write stores the batch in one transaction: the new spans, then the trace
// rows they change, then events and metric points.
func (s *Store) Write(ctx context.Context, b *store.Batch) error {
	if err := s.open(ctx); err != nil {
		return err
	}
	if err := store.ValidateBatch(b); err != nil {
		return err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// Statements run without ctx's cancellation: the driver watches a
	// cancellable context with a goroutine per statement, which showed as 7%
	// of the store's write CPU; ctx is checked before the commit instead.
	if err := s.writeAll(context.WithoutCancel(ctx), tx, b); err != nil {
		return fmt.Errorf("sqlite: write: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if len(b.Metrics) > 0 {
		s.compactAfterWrite(ctx)
	}
	return nil
}

func (s *Store) writeAll(ctx context.Context, tx *sql.Tx, b *store.Batch) error {
	var memo attrjson.Memo
	fresh, err := s.insertSpans(ctx, tx, b.Spans, &memo)
	if err != nil {
		return err
	}
	if err := s.upsertTraces(ctx, tx, tracerow.FromSpans(fresh)); err != nil {
		return err
	}
	ins := tx.StmtContext(ctx, s.stmts.insertEvent)
	for i := range b.Events {
		e := &b.Events[i]
		attrs, res, err := attrjson.MarshalPair(e.Attributes, e.Resource, &memo)
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, e.EventID, e.TraceID, e.SpanID, e.Type, e.Name,
			e.Timestamp.UnixNano(), attrs, res); err != nil {
			return err
		}
	}
	return s.insertMetrics(ctx, tx, b.Metrics, &memo)
}

// insertSpans returns the spans that were not stored yet: only they count
// towards their traces. Usually that is all of them, and spans itself is
// returned: copying a thousand spans into a growing slice showed as 4% of
// the write.
func (s *Store) insertSpans(ctx context.Context, tx *sql.Tx, spans []store.Span, memo *attrjson.Memo) ([]store.Span, error) {
	ins := tx.StmtContext(ctx, s.stmts.insertSpan)
	var fresh []store.Span // nil until a span turns out stored already
	for i := range spans {
		sp := &spans[i]
		attrs, res, err := attrjson.MarshalPair(sp.Attributes, sp.Resource, memo)
		if err != nil {
			return nil, err
		}
		r, err := ins.ExecContext(ctx, sp.SpanID, sp.TraceID, sp.ParentSpanID, sp.Name, sp.Kind,
			sp.StartTime.UnixNano(), sp.EndTime.UnixNano(), sp.Duration, sp.Status,
			sp.StatusMessage, sp.Scope, attrs, res)
		if err != nil {
			return nil, err
		}
		n, err := r.RowsAffected()
		switch {
		case err != nil:
			return nil, err
		case n == 1 && fresh != nil:
			fresh = append(fresh, *sp)
		case n != 1 && fresh == nil:
			fresh = append(make([]store.Span, 0, len(spans)), spans[:i]...)
		}
	}
	if fresh == nil {
		return spans, nil
	}
	return fresh, nil
}

// traceLookup is how many traces one select_traces statement reads: one
// statement per trace cost a tenth of the write.
const traceLookup = 64

// upsertTraces merges the batch's contribution into the stored rows in Go,
// since SQLite's JSON functions would round floats; the transaction holds
// the write lock, so nothing changes the rows in between.
func (s *Store) upsertTraces(ctx context.Context, tx *sql.Tx, adds []*tracerow.Row) error {
	args := make([]any, traceLookup)
	for len(adds) > 0 {
		chunk := adds[:min(traceLookup, len(adds))]
		adds = adds[len(chunk):]
		for i := range args {
			args[i] = chunk[min(i, len(chunk)-1)].TraceID
		}
		stored, err := s.storedTraces(ctx, tx, args)
		if err != nil {
			return err
		}
		for _, add := range chunk {
			row := add
			if old := stored[add.TraceID]; old != nil {
				old.Merge(add)
				row = old
			}
			if err := s.writeTrace(ctx, tx, row); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedTraces reads the stored rows of the traces ids names, by id.
func (s *Store) storedTraces(ctx context.Context, tx *sql.Tx, ids []any) (map[string]*tracerow.Row, error) {
	rows, err := tx.StmtContext(ctx, s.stmts.selectTraces).QueryContext(ctx, ids...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	stored := map[string]*tracerow.Row{}
	for rows.Next() {
		r, err := readTrace(rows)
		if err != nil {
			return nil, err
		}
		stored[r.TraceID] = r
	}
	return stored, rows.Err()
}

// writeTrace replaces the stored row with row.
func (s *Store) writeTrace(ctx context.Context, tx *sql.Tx, row *tracerow.Row) error {
	attrs, err := attrjson.Marshal(row.Attributes)
	if err != nil {
		return err
	}
	var name sql.NullString
	if row.HasRoot {
		name = sql.NullString{String: row.Name, Valid: true}
	}
	_, err = tx.StmtContext(ctx, s.stmts.upsertTrace).ExecContext(ctx, row.TraceID, name,
		row.StartTime.UnixNano(), row.EndTime.UnixNano(), row.Duration, row.Status, row.SpanCount, attrs)
	return err
}

// insertMetrics stores the points, then the value runs of those that were
// not stored yet, so that a retried batch counts each point once.
func (s *Store) insertMetrics(ctx context.Context, tx *sql.Tx, metrics []store.Metric, memo *attrjson.Memo) error {
	ins := tx.StmtContext(ctx, s.stmts.insertMetric)
	var runs valueruns.Builder
	for i := range metrics {
		m := &metrics[i]
		attrs, res, err := attrjson.MarshalPair(m.Attributes, m.Resource, memo)
		if err != nil {
			return err
		}
		value := sql.NullFloat64{Float64: m.Value, Valid: !math.IsNaN(m.Value)}
		r, err := ins.ExecContext(ctx, m.MetricID, m.TraceID, m.Name, value, m.Unit,
			m.AggregationType, m.Timestamp.UnixNano(), attrs, res)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			runs.Add(m.Name, m.Value, m.Timestamp.UnixNano())
		}
	}
	made := runs.Runs()
	s.compaction.touch(made)
	return insertRuns(ctx, tx.StmtContext(ctx, s.stmts.insertRun), s.pageSize, made)
}
