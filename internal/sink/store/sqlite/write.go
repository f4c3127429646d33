package sqlite

import (
	"context"
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/tracerow"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/valueruns"
)

// Write stores the batch in one transaction: the new spans, then the trace
// rows they change, then events and metric points. The statements run
// whatever ctx does (a transaction holds only the time of one batch); ctx
// is checked before the commit.
func (s *Store) Write(ctx context.Context, b *store.Batch) error {
	err := s.open(ctx)
	if err == nil {
		err = store.ValidateBatch(b)
	}
	if err == nil {
		err = s.writeTx(ctx, b)
	}
	if err == nil && len(b.Metrics) > 0 {
		s.compactAfterWrite(ctx)
	}
	return err
}

func (s *Store) writeTx(ctx context.Context, b *store.Batch) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed.Load() {
		return fmt.Errorf("sqlite: %w", store.ErrClosed)
	}
	if err := s.batches.exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	err := s.writeAll(b)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if err = s.batches.exec("COMMIT"); err != nil {
			err = fmt.Errorf("sqlite: commit: %w", err)
		}
	} else {
		err = fmt.Errorf("sqlite: write: %w", err)
	}
	if err != nil {
		// After a failed COMMIT the transaction may be open still.
		_ = s.batches.exec("ROLLBACK")
	}
	return err
}

func (s *Store) writeAll(b *store.Batch) error {
	var memo attrjson.Memo
	fresh, err := s.insertSpans(b.Spans, &memo)
	if err != nil {
		return err
	}
	if err := s.upsertTraces(tracerow.FromSpans(fresh)); err != nil {
		return err
	}
	ins := s.stmts.insertEvent
	for i := range b.Events {
		e := &b.Events[i]
		attrs, res, err := attrjson.MarshalPair(e.Attributes, e.Resource, &memo)
		if err != nil {
			return err
		}
		ins.texts(1, e.EventID, e.TraceID, e.SpanID, e.Type, e.Name)
		ins.int64(6, e.Timestamp.UnixNano())
		ins.texts(7, attrs, res)
		if _, err := ins.exec(); err != nil {
			return err
		}
	}
	if err := s.insertMetrics(b.Metrics, &memo); err != nil {
		return err
	}
	return s.insertLogs(b.Logs, &memo)
}

// insertSpans returns the spans that were not stored yet: only they count
// towards their traces. Usually that is all of them, and spans itself is
// returned: copying a thousand spans into a growing slice showed as 4% of
// the write.
func (s *Store) insertSpans(spans []store.Span, memo *attrjson.Memo) ([]store.Span, error) {
	ins := s.stmts.insertSpan
	var fresh []store.Span // nil until a span turns out stored already
	for i := range spans {
		sp := &spans[i]
		attrs, res, err := attrjson.MarshalPair(sp.Attributes, sp.Resource, memo)
		if err != nil {
			return nil, err
		}
		ins.texts(1, sp.SpanID, sp.TraceID, sp.ParentSpanID, sp.Name, sp.Kind)
		ins.int64(6, sp.StartTime.UnixNano())
		ins.int64(7, sp.EndTime.UnixNano())
		ins.float(8, sp.Duration)
		ins.texts(9, sp.Status, sp.StatusMessage, sp.Scope, attrs, res)
		n, err := ins.exec()
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
func (s *Store) upsertTraces(adds []*tracerow.Row) error {
	for len(adds) > 0 {
		chunk := adds[:min(traceLookup, len(adds))]
		adds = adds[len(chunk):]
		stored, err := s.storedTraces(chunk)
		if err != nil {
			return err
		}
		for _, add := range chunk {
			row := add
			if old := stored[add.TraceID]; old != nil {
				old.Merge(add)
				row = old
			}
			if err := s.writeTrace(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedTraces reads the stored rows of the traces of rows, by id; the
// statement's placeholders past the chunk repeat its last id.
func (s *Store) storedTraces(rows []*tracerow.Row) (map[string]*tracerow.Row, error) {
	sel := s.stmts.selectTraces
	for i := range traceLookup {
		sel.text(i+1, rows[min(i, len(rows)-1)].TraceID)
	}
	stored := map[string]*tracerow.Row{}
	err := sel.query(func(st *stmt) error {
		r, err := readTraceColumns(st)
		if err == nil {
			stored[r.TraceID] = r
		}
		return err
	})
	return stored, err
}

// readTraceColumns reads a row of traceCols, as readTrace does from
// database/sql.
func readTraceColumns(st *stmt) (*tracerow.Row, error) {
	r := &tracerow.Row{}
	r.TraceID = st.columnText(0)
	if r.HasRoot = !st.isNull(1); r.HasRoot {
		r.Name = st.columnText(1)
	}
	r.StartTime, r.EndTime = ns(st.columnInt64(2)), ns(st.columnInt64(3))
	r.Duration = st.columnFloat(4)
	r.Status = st.columnText(5)
	r.SpanCount = int(st.columnInt64(6))
	var err error
	r.Attributes, err = attrjson.Unmarshal(st.columnBytes(7))
	return r, err
}

// writeTrace replaces the stored row with row.
func (s *Store) writeTrace(row *tracerow.Row) error {
	attrs, err := attrjson.Marshal(row.Attributes)
	if err != nil {
		return err
	}
	up := s.stmts.upsertTrace
	up.text(1, row.TraceID)
	if row.HasRoot {
		up.text(2, row.Name)
	} else {
		up.null(2)
	}
	up.int64(3, row.StartTime.UnixNano())
	up.int64(4, row.EndTime.UnixNano())
	up.float(5, row.Duration)
	up.text(6, row.Status)
	up.int64(7, int64(row.SpanCount))
	up.jsonText(8, attrs)
	_, err = up.exec()
	return err
}

// insertMetrics stores the points, then the value runs of those that were
// not stored yet, so that a retried batch counts each point once.
func (s *Store) insertMetrics(metrics []store.Metric, memo *attrjson.Memo) error {
	ins := s.stmts.insertMetric
	var runs valueruns.Builder
	for i := range metrics {
		m := &metrics[i]
		attrs, res, err := attrjson.MarshalPair(m.Attributes, m.Resource, memo)
		if err != nil {
			return err
		}
		ins.texts(1, m.MetricID, m.TraceID, m.Name)
		ins.optFloat(4, m.Value)
		ins.texts(5, m.Unit, m.AggregationType)
		ins.int64(7, m.Timestamp.UnixNano())
		ins.texts(8, attrs, res)
		n, err := ins.exec()
		if err != nil {
			return err
		}
		if n == 1 {
			runs.Add(m.Name, m.Value, m.Timestamp.UnixNano())
		}
	}
	made := runs.Runs()
	s.compaction.touch(made)
	return eachRow(s.pageSize, made, func(r valueruns.Run) error {
		put := s.stmts.insertRun
		put.text(1, r.Name)
		put.int64(2, r.Start)
		put.int64(3, int64(r.Count))
		put.blob(4, r.Points)
		_, err := put.exec()
		return err
	})
}
