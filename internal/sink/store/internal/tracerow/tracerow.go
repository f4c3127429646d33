// Package tracerow derives trace rows from spans as the store.Trace doc
// defines, for the stores that compute a batch's contribution in Go before
// merging it into the row they already hold.
package tracerow

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// Row is a trace row being derived. HasRoot tells a root named "" from no
// root yet; SQL stores keep that as a NULL name.
type Row struct {
	store.Trace
	HasRoot bool
}

// FromSpans folds spans, in order, into one row per trace id, listed in the
// order their first span appears.
func FromSpans(spans []store.Span) []*Row {
	var rows []*Row
	byID := map[string]*Row{}
	for i := range spans {
		sp := &spans[i]
		r := byID[sp.TraceID]
		if r == nil {
			r = &Row{Trace: store.Trace{TraceID: sp.TraceID, StartTime: sp.StartTime,
				EndTime: sp.EndTime, Status: store.TraceCompleted}}
			byID[sp.TraceID] = r
			rows = append(rows, r)
		}
		r.Add(sp)
	}
	return rows
}

// Add folds one more span into the row.
func (r *Row) Add(sp *store.Span) {
	failed := store.TraceCompleted
	if sp.Status == store.SpanStatusError {
		failed = store.TraceFailed
	}
	later := Row{HasRoot: sp.ParentSpanID == "", Trace: store.Trace{
		Name: sp.Name, StartTime: sp.StartTime, EndTime: sp.EndTime, Status: failed,
		SpanCount: 1, Attributes: sp.Resource}}
	r.Merge(&later)
}

// Merge folds a row derived from spans written after r's into r: the first
// root's name and the first value of each attribute win. It changes
// r.Attributes in place, so r must own that map (rows made here and rows
// decoded from a database do); it never keeps later's map.
func (r *Row) Merge(later *Row) {
	if !r.HasRoot && later.HasRoot {
		r.HasRoot, r.Name = true, later.Name
	}
	if r.SpanCount == 0 || later.StartTime.Before(r.StartTime) {
		r.StartTime = later.StartTime
	}
	if r.SpanCount == 0 || later.EndTime.After(r.EndTime) {
		r.EndTime = later.EndTime
	}
	r.Duration = r.EndTime.Sub(r.StartTime).Seconds()
	if later.Status == store.TraceFailed {
		r.Status = store.TraceFailed
	}
	r.SpanCount += later.SpanCount
	for k, v := range later.Attributes {
		if _, ok := r.Attributes[k]; !ok {
			if r.Attributes == nil {
				r.Attributes = store.Attributes{}
			}
			r.Attributes[k] = v
		}
	}
}
