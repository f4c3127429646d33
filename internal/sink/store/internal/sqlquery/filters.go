package sqlquery

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// TraceQuery adds the conditions of q on the traces table; like the other
// filters, it returns w, so that a statement chains them.
func (w *Where) TraceQuery(q store.TraceQuery) *Where {
	w.Eq("status", q.Status)
	w.Eq("name", q.Name)
	w.Between("start_time", q.Time)
	w.Attributes(q.Attributes, "attributes")
	return w
}

// SpanQuery adds the conditions of q on the spans table.
func (w *Where) SpanQuery(q store.SpanQuery) *Where {
	w.Eq("trace_id", q.TraceID)
	w.Eq("name", q.Name)
	w.Between("start_time", q.Time)
	w.Attributes(q.Attributes, "attributes", "resource")
	return w
}

// EventQuery adds the conditions of q on the events table.
func (w *Where) EventQuery(q store.EventQuery) *Where {
	w.Eq("trace_id", q.TraceID)
	w.Eq("type", q.Type)
	w.Eq("name", q.Name)
	w.Between("timestamp", q.Time)
	return w
}

// MetricQuery adds the conditions of q on the metrics table.
func (w *Where) MetricQuery(q store.MetricQuery) *Where {
	w.Eq("name", q.Name)
	w.Between("timestamp", q.Time)
	w.Attributes(q.Attributes, "attributes", "resource")
	return w
}

// AggregateQuery adds the conditions on the metrics table that select the
// points q aggregates: those a MetricQuery with its name, time range and
// attributes lists.
func (w *Where) AggregateQuery(q store.AggregateQuery) *Where {
	return w.MetricQuery(store.MetricQuery{Name: q.Name, Time: q.Time, Attributes: q.Attributes})
}
