// Package query is the sink's read API: JSON over HTTP on top of a store.
//
//	GET /api/v1/traces?limit=&status=&name=&from=&to=&attr.<key>=<value>
//	GET /api/v1/traces/{traceId}
//	GET /api/v1/spans?limit=&traceId=&name=&from=&to=&attr.<key>=<value>
//	GET /api/v1/events?limit=&traceId=&type=&name=&from=&to=
//	GET /api/v1/metrics?limit=&name=&from=&to=&attr.<key>=<value>
//	GET /api/v1/metrics/aggregate?name=&from=&to=&step=&attr.<key>=<value>
//	GET /api/v1/logs?limit=&from=&to=&minSeverity=&traceId=&spanId=&service=&body=&attr.<key>=<value>
//
// Times are RFC 3339 or integer Unix nanoseconds; step is a Go duration
// ("1m") or integer seconds. Lists answer {"traces": [...]} (and "spans",
// "events", "metrics", "buckets", "logs"); errors answer {"error": "..."} with 400 for
// a bad parameter (the message names it), 404 for an unknown trace, and 501
// from an export-only backend. NaN and infinite floats, which JSON cannot
// hold, are written as the strings "NaN", "+Inf" and "-Inf" (json.go).
//
// Every answer that reached the store carries a Server-Timing header,
// "store;dur=<milliseconds>", the time the store took: what is left of a
// slow answer is the round trip, encoding and scheduling, not the query.
package query

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// ExportOnlyMessage explains why a backend without query support answers
// 501.
const ExportOnlyMessage = "export-only backend: this sink forwards telemetry over OTLP and cannot answer queries; query the platform it exports to"

// Handler serves the query API for one store.
type Handler struct {
	store store.Store
	mux   *http.ServeMux
}

// New returns the query API of st.
func New(st store.Store) *Handler {
	h := &Handler{store: st, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /api/v1/traces", h.traces)
	h.mux.HandleFunc("GET /api/v1/traces/{traceId}", h.trace)
	h.mux.HandleFunc("GET /api/v1/spans", h.spans)
	h.mux.HandleFunc("GET /api/v1/events", h.events)
	h.mux.HandleFunc("GET /api/v1/metrics", h.metrics)
	h.mux.HandleFunc("GET /api/v1/metrics/aggregate", h.aggregate)
	h.mux.HandleFunc("GET /api/v1/logs", h.logs)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) traces(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "limit", "status", "name", "from", "to")
	q := store.TraceQuery{Limit: p.limit(), Status: p.str("status"), Name: p.str("name"),
		Time: p.timeRange(), Attributes: p.attrs()}
	if q.Status != "" && q.Status != store.TraceCompleted && q.Status != store.TraceFailed {
		p.fail("status", "must be completed or failed")
	}
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.Trace, error) { return h.store.QueryTraces(r.Context(), q) })
	reply(w, "traces", rows, err)
}

func (h *Handler) trace(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("traceId"))
	if !isHex(id, 32) {
		writeError(w, badParam("traceId", "must be 32 hex digits"))
		return
	}
	detail, err := timed(w, func() (*store.TraceDetail, error) { return h.store.GetTrace(r.Context(), id) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, detail)
}

func (h *Handler) spans(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "limit", "traceId", "name", "from", "to")
	q := store.SpanQuery{Limit: p.limit(), TraceID: p.traceID(), Name: p.str("name"),
		Time: p.timeRange(), Attributes: p.attrs()}
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.Span, error) { return h.store.QuerySpans(r.Context(), q) })
	reply(w, "spans", rows, err)
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "limit", "traceId", "type", "name", "from", "to")
	q := store.EventQuery{Limit: p.limit(), TraceID: p.traceID(), Type: p.str("type"),
		Name: p.str("name"), Time: p.timeRange()}
	p.noAttrs()
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.Event, error) { return h.store.QueryEvents(r.Context(), q) })
	reply(w, "events", rows, err)
}

func (h *Handler) metrics(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "limit", "name", "from", "to")
	q := store.MetricQuery{Limit: p.limit(), Name: p.str("name"), Time: p.timeRange(), Attributes: p.attrs()}
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.Metric, error) { return h.store.QueryMetrics(r.Context(), q) })
	reply(w, "metrics", rows, err)
}

func (h *Handler) aggregate(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "name", "from", "to", "step")
	q := store.AggregateQuery{Name: p.str("name"), Time: p.timeRange(), Step: p.step(), Attributes: p.attrs()}
	if q.Name == "" {
		p.fail("name", "is required")
	}
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.Aggregate, error) { return h.store.AggregateMetrics(r.Context(), q) })
	reply(w, "buckets", rows, err)
}

// timed runs a store call and reports its duration in the Server-Timing
// header, which must be set before the answer is written.
func timed[T any](w http.ResponseWriter, call func() (T, error)) (T, error) {
	start := time.Now()
	v, err := call()
	ms := float64(time.Since(start).Nanoseconds()) / 1e6
	w.Header().Set("Server-Timing", "store;dur="+strconv.FormatFloat(ms, 'f', 3, 64))
	return v, err
}

// reply writes {key: rows}, or the error.
func reply[T any](w http.ResponseWriter, key string, rows []T, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	if rows == nil {
		rows = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{key: rows})
}

// writeError maps the store's errors to HTTP statuses.
func writeError(w http.ResponseWriter, err error) {
	code, msg := http.StatusInternalServerError, err.Error()
	var bad *paramError
	switch {
	case errors.As(err, &bad), errors.Is(err, store.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, store.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, store.ErrUnsupported):
		code, msg = http.StatusNotImplemented, ExportOnlyMessage
	case errors.Is(err, store.ErrClosed):
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]string{"error": msg})
}
