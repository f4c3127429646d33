package pipeline

import "github.com/spark-dev/telemetry-operator/internal/sink/store"

// Result is what became of a request Store waited for.
type Result struct {
	// Rejected counts the request's records the store refused as
	// invalid (an encoded request counts all of its records); the others
	// are stored.
	Rejected int
	// Message says why, from the store's first refusal; empty when
	// nothing was rejected.
	Message string
}

// The kinds of records a batch holds, in the order views split them.
const (
	kindSpans = iota
	kindEvents
	kindMetrics
	kindLogs
	kindEncoded
	kinds
)

// view is a part of a pending batch: its records, sharing the batch's
// slices, and where each kind starts in the pending batch.
type view struct {
	b    store.Batch
	base [kinds]int
}

// lens are the numbers of records of each kind in the view.
func (v *view) lens() [kinds]int {
	return [kinds]int{len(v.b.Spans), len(v.b.Events), len(v.b.Metrics), len(v.b.Logs), len(v.b.Encoded)}
}

// parts splits the view: into its kinds when it holds several, else into
// halves; none when it is one record.
func (v *view) parts() []view {
	n := v.lens()
	var out []view
	for k := range kinds {
		if n[k] > 0 {
			out = append(out, v.sub(k, 0, n[k]))
		}
	}
	if len(out) > 1 {
		return out
	}
	for k := range kinds {
		if n[k] > 1 {
			return []view{v.sub(k, 0, n[k]/2), v.sub(k, n[k]/2, n[k])}
		}
	}
	return nil
}

// sub is the records [from, to) of one kind of the view.
func (v *view) sub(kind, from, to int) view {
	out := view{base: v.base}
	out.base[kind] += from
	switch kind {
	case kindSpans:
		out.b.Spans = v.b.Spans[from:to]
	case kindEvents:
		out.b.Events = v.b.Events[from:to]
	case kindMetrics:
		out.b.Metrics = v.b.Metrics[from:to]
	case kindLogs:
		out.b.Logs = v.b.Logs[from:to]
	case kindEncoded:
		out.b.Encoded = v.b.Encoded[from:to]
	}
	return out
}

// rejection is one record the store refused: its kind and index in the
// pending batch, how many records it counts for, and why.
type rejection struct {
	kind, index, records int
	err                  error
}

// single is the rejection of a view of one record.
func (v *view) single(err error) rejection {
	n := v.lens()
	for k := range kinds {
		if n[k] == 1 {
			r := rejection{kind: k, index: v.base[k], records: 1, err: err}
			if k == kindEncoded {
				r.records = v.b.Encoded[0].Len()
			}
			return r
		}
	}
	return rejection{err: err}
}

// waiter is a request waiting for its records to be stored: where they
// are in the pending batch, and, once done is closed, the outcome.
type waiter struct {
	from, to [kinds]int
	done     chan struct{}
	result   Result
	err      error
}

// newWaiter places b's records after those already in cur, where append
// puts them.
func newWaiter(cur, b *store.Batch) *waiter {
	w := &waiter{done: make(chan struct{})}
	w.from = [kinds]int{len(cur.Spans), len(cur.Events), len(cur.Metrics), len(cur.Logs), len(cur.Encoded)}
	w.to = w.from
	w.to[kindSpans] += len(b.Spans)
	w.to[kindEvents] += len(b.Events)
	w.to[kindMetrics] += len(b.Metrics)
	w.to[kindLogs] += len(b.Logs)
	w.to[kindEncoded] += len(b.Encoded)
	return w
}

// finish tells the request what became of its records.
func (w *waiter) finish(rejected []rejection, err error) {
	w.err = err
	for _, r := range rejected {
		if r.index >= w.from[r.kind] && r.index < w.to[r.kind] {
			if w.result.Rejected == 0 {
				w.result.Message = r.err.Error()
			}
			w.result.Rejected += r.records
		}
	}
	close(w.done)
}
