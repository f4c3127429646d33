package sqlquery

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// Statement is a statement's text and its parameters, in placeholder order.
type Statement struct {
	SQL  string
	Args []any
}

// ListTraces is the statement that lists q's traces reading cols. Its
// order is that of SQLite's indexes on (start_time DESC, trace_id) and
// (status, start_time DESC, trace_id), so that a listing walks one and
// stops at the limit instead of sorting every match.
func (d *Dialect) ListTraces(cols string, q store.TraceQuery) Statement {
	return d.Where().TraceQuery(q).list("SELECT "+cols+" FROM traces", "start_time DESC, trace_id", q.Limit)
}

// ListSpans is the statement that lists q's spans reading cols.
func (d *Dialect) ListSpans(cols string, q store.SpanQuery) Statement {
	return d.Where().SpanQuery(q).list("SELECT "+cols+" FROM spans", "start_time DESC, span_id", q.Limit)
}

// ListEvents is the statement that lists q's events reading cols.
func (d *Dialect) ListEvents(cols string, q store.EventQuery) Statement {
	return d.Where().EventQuery(q).list("SELECT "+cols+" FROM events", "timestamp DESC, event_id", q.Limit)
}

// ListMetrics is the statement that lists q's metric points reading cols.
func (d *Dialect) ListMetrics(cols string, q store.MetricQuery) Statement {
	return d.Where().MetricQuery(q).list("SELECT "+cols+" FROM metrics", "timestamp DESC, metric_id", q.Limit)
}

// list completes a listing with the clause, its order and the effective
// limit, which is the last parameter.
func (w *Where) list(selectFrom, order string, limit int) Statement {
	sql := selectFrom + w.String() + " ORDER BY " + order
	sql += " LIMIT " + w.Arg(store.EffectiveLimit(limit))
	return Statement{sql, w.args}
}

// byTraceID is the text of the statement that reads the rows of table
// whose trace id is its one parameter, in order when order is set.
func (d *Dialect) byTraceID(cols, table, order string) string {
	sql := "SELECT " + cols + " FROM " + table + " WHERE trace_id = " + d.Param(1)
	if order != "" {
		sql += " ORDER BY " + order
	}
	return sql
}

// spanPage is the statement that reads the page of spans after a key, in
// key order; the key's columns, then the page size, are its parameters.
func (d *Dialect) spanPage(cols string) string {
	return "SELECT " + cols + " FROM spans WHERE (trace_id, span_id) > (" + d.ID(d.Param(1)) + ", " + d.Param(2) +
		") ORDER BY trace_id, span_id LIMIT " + d.Param(3)
}

// idPage is spanPage for a table keyed by the record id column id.
func (d *Dialect) idPage(cols, table, id string) string {
	return "SELECT " + cols + " FROM " + table + " WHERE " + id + " > " + d.ID(d.Param(1)) +
		" ORDER BY " + id + " LIMIT " + d.Param(2)
}
