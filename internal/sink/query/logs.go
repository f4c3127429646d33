package query

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// severities are the names minSeverity takes, at the lowest number of
// their range (OTLP's SeverityNumber: TRACE 1-4 ... FATAL 21-24).
var severities = map[string]int32{"TRACE": 1, "DEBUG": 5, "INFO": 9, "WARN": 13, "ERROR": 17, "FATAL": 21}

func (h *Handler) logs(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "limit", "from", "to", "minSeverity", "traceId", "spanId", "service", "body")
	q := store.LogQuery{Limit: p.limit(), Time: p.timeRange(), MinSeverity: p.severity("minSeverity"),
		TraceID: p.traceID(), SpanID: p.spanID(), Service: p.str("service"), Body: p.str("body"),
		Attributes: p.attrs()}
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	rows, err := timed(w, func() ([]store.LogRecord, error) { return h.store.QueryLogs(r.Context(), q) })
	reply(w, "logs", rows, err)
}

// severity reads a severity: a number from 0 to 24, or a level's name in
// any case.
func (p *params) severity(name string) int32 {
	v := p.str(name)
	if v == "" {
		return 0
	}
	if n, ok := severities[strings.ToUpper(v)]; ok {
		return n
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 24 {
		p.fail(name, "must be a severity number from 0 to 24 or TRACE, DEBUG, INFO, WARN, ERROR or FATAL")
		return 0
	}
	return int32(n)
}

// spanID reads an optional span id: 16 hex digits.
func (p *params) spanID() string {
	v := strings.ToLower(p.str("spanId"))
	if v != "" && !isHex(v, 16) {
		p.fail("spanId", "must be 16 hex digits")
	}
	return v
}
