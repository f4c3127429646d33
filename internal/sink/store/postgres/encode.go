package postgres

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/tracerow"
)

// encoded holds a batch's rows as COPY wants them, and its trace rows as
// the arrays that write_traces.sql takes.
type encoded struct {
	spans, events, metrics, logs [][]any
	traces                       traceArrays
}

// traceArrays holds one trace row per index, with the count of its spans.
type traceArrays struct {
	ids          []pgtype.UUID
	names        []pgtype.Text // NULL until a root span arrives
	starts, ends []time.Time
	statuses     []string
	counts       []int32
	attributes   []string
}

func (a *traceArrays) add(r *tracerow.Row, attrs string) {
	a.ids = append(a.ids, uuidOf(r.TraceID))
	a.names = append(a.names, pgtype.Text{String: text(r.Name), Valid: r.HasRoot})
	a.starts = append(a.starts, r.StartTime)
	a.ends = append(a.ends, r.EndTime)
	a.statuses = append(a.statuses, r.Status)
	a.counts = append(a.counts, int32(r.SpanCount))
	a.attributes = append(a.attributes, attrs)
}

func (a *traceArrays) args() []any {
	return []any{a.ids, a.names, a.starts, a.ends, a.statuses, a.counts, a.attributes}
}

// recount keeps the traces of the spans that were new, one id per span,
// and counts those spans.
func (a *traceArrays) recount(added []pgtype.UUID) *traceArrays {
	n := map[[16]byte]int32{}
	for _, id := range added {
		n[id.Bytes]++
	}
	var out traceArrays
	for i, id := range a.ids {
		if n[id.Bytes] == 0 {
			continue
		}
		out.ids = append(out.ids, id)
		out.names = append(out.names, a.names[i])
		out.starts = append(out.starts, a.starts[i])
		out.ends = append(out.ends, a.ends[i])
		out.statuses = append(out.statuses, a.statuses[i])
		out.counts = append(out.counts, n[id.Bytes])
		out.attributes = append(out.attributes, a.attributes[i])
	}
	return &out
}

// text is a string as a text column keeps it: PostgreSQL's text cannot
// hold NUL, so it is escaped as in JSON columns (attrjson.EscapeNUL), and
// read back unescaped.
func text(s string) string { return attrjson.EscapeNUL(s) }

// encodeBatch renders every row before the transaction starts, so that the
// transaction holds its locks for as short a time as possible. Spans go in
// id order, so that concurrent writers of the same spans (a retried batch)
// wait for each other's ids in one order instead of deadlocking.
func encodeBatch(b *store.Batch) (*encoded, error) {
	var e encoded
	var memo attrjson.Memo
	e.spans = make([][]any, 0, len(b.Spans))
	for i := range b.Spans {
		sp := &b.Spans[i]
		attrs, res, err := attrjson.MarshalPair(sp.Attributes, sp.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.spans = append(e.spans, []any{sp.SpanID, uuid(sp.TraceID), nullable(sp.ParentSpanID), text(sp.Name), sp.Kind,
			sp.StartTime, sp.EndTime, sp.Duration, sp.Status, text(sp.StatusMessage), text(sp.Scope), attrs, res})
	}
	slices.SortFunc(e.spans, func(x, y []any) int { return strings.Compare(x[0].(string), y[0].(string)) })
	for _, r := range tracerow.FromSpans(b.Spans) {
		attrs, err := attrjson.Marshal(r.Attributes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", store.ErrInvalid, err)
		}
		e.traces.add(r, string(attrs))
	}
	for i := range b.Events {
		ev := &b.Events[i]
		attrs, res, err := attrjson.MarshalPair(ev.Attributes, ev.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.events = append(e.events, []any{uuid(ev.EventID), uuid(ev.TraceID), nullable(ev.SpanID), text(ev.Type), text(ev.Name),
			ev.Timestamp, attrs, res})
	}
	for i := range b.Metrics {
		m := &b.Metrics[i]
		attrs, res, err := attrjson.MarshalPair(m.Attributes, m.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.metrics = append(e.metrics, []any{uuid(m.MetricID), uuid(m.TraceID), text(m.Name), m.Value, text(m.Unit),
			m.AggregationType, m.Timestamp, attrs, res})
	}
	for i := range b.Logs {
		row, err := logRow(&b.Logs[i], &memo)
		if err != nil {
			return nil, err
		}
		e.logs = append(e.logs, row)
	}
	return &e, nil
}
