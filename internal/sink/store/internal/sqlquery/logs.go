package sqlquery

import (
	"context"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// LogQuery adds the conditions of q on the logs table, whose timestamp
// column holds each record's Time().
func (w *Where) LogQuery(q store.LogQuery) *Where {
	w.Eq("trace_id", q.TraceID)
	w.Eq("span_id", q.SpanID)
	if q.MinSeverity > 0 {
		w.Add("severity_number >= " + w.Arg(q.MinSeverity))
	}
	w.Between("timestamp", q.Time)
	if q.Service != "" {
		w.Add("(" + w.d.Attribute(w, "resource", store.AttrServiceName, attrjson.Match{Text: q.Service}) + ")")
	}
	if q.Body != "" {
		w.Add(w.d.Contains("body_text", w.Arg(w.d.Text(q.Body))))
	}
	w.Attributes(q.Attributes, "attributes", "resource")
	return w
}

// ListLogs is the statement that lists q's log records reading cols.
func (d *Dialect) ListLogs(cols string, q store.LogQuery) Statement {
	return d.Where().LogQuery(q).list("SELECT "+cols+" FROM logs", "timestamp DESC, log_id", q.Limit)
}

// QueryLogs lists log records, newest first.
func (q *Queries) QueryLogs(ctx context.Context, lq store.LogQuery) ([]store.LogRecord, error) {
	if err := store.ValidateQueryTraceID(lq.TraceID); err != nil {
		return nil, err
	}
	return run(ctx, q, "query logs", q.t.Logs, q.d.ListLogs(q.t.Logs.Cols, lq))
}
