package sqlquery

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// ListTraces is the statement that lists q's traces reading cols, and its
// parameters. Its order is that of SQLite's indexes on (start_time DESC,
// trace_id) and (status, start_time DESC, trace_id), so that a listing
// walks one and stops at the limit instead of sorting every match.
func (d *Dialect) ListTraces(cols string, q store.TraceQuery) (string, []any) {
	return d.Where().TraceQuery(q).list("SELECT "+cols+" FROM traces", "start_time DESC, trace_id", q.Limit)
}

// ListSpans is the statement that lists q's spans reading cols, and its
// parameters.
func (d *Dialect) ListSpans(cols string, q store.SpanQuery) (string, []any) {
	return d.Where().SpanQuery(q).list("SELECT "+cols+" FROM spans", "start_time DESC, span_id", q.Limit)
}

// ListEvents is the statement that lists q's events reading cols, and its
// parameters.
func (d *Dialect) ListEvents(cols string, q store.EventQuery) (string, []any) {
	return d.Where().EventQuery(q).list("SELECT "+cols+" FROM events", "timestamp DESC, event_id", q.Limit)
}

// ListMetrics is the statement that lists q's metric points reading cols,
// and its parameters.
func (d *Dialect) ListMetrics(cols string, q store.MetricQuery) (string, []any) {
	return d.Where().MetricQuery(q).list("SELECT "+cols+" FROM metrics", "timestamp DESC, metric_id", q.Limit)
}

// list completes a listing with the clause, its order and the effective
// limit, which is the last parameter.
func (w *Where) list(selectFrom, order string, limit int) (string, []any) {
	sql := selectFrom + w.String() + " ORDER BY " + order
	sql += " LIMIT " + w.Arg(store.EffectiveLimit(limit))
	return sql, w.args
}
