package query

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// attrPrefix starts a query parameter that filters on an attribute.
const attrPrefix = "attr."

// paramError is a bad query parameter; the API answers 400 with it.
type paramError struct{ name, problem string }

func (e *paramError) Error() string { return fmt.Sprintf("query parameter %q %s", e.name, e.problem) }

func badParam(name, problem string) error { return &paramError{name, problem} }

// params parses one request's query string, keeping the first error.
type params struct {
	values url.Values
	err    error
}

// newParams refuses any parameter outside known and attr.*, so that a typo
// is an error rather than a silently ignored filter.
func newParams(r *http.Request, known ...string) *params {
	p := &params{values: r.URL.Query()}
	for name := range p.values {
		if !strings.HasPrefix(name, attrPrefix) && !contains(known, name) {
			p.fail(name, fmt.Sprintf("is not known here; use %s or attr.<key>", strings.Join(known, ", ")))
		}
	}
	return p
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (p *params) fail(name, problem string) {
	if p.err == nil {
		p.err = badParam(name, problem)
	}
}

func (p *params) str(name string) string { return p.values.Get(name) }

// limit reads the row limit.
func (p *params) limit() int {
	const name = "limit"
	s := p.values.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		p.fail(name, "must be a non-negative integer, not "+strconv.Quote(s))
	}
	return n
}

func (p *params) time(name string) time.Time {
	s := p.values.Get(name)
	if s == "" {
		return time.Time{}
	}
	if ns, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(0, ns).UTC()
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.fail(name, "must be an RFC 3339 time or Unix nanoseconds, not "+strconv.Quote(s))
	}
	return t
}

func (p *params) timeRange() store.TimeRange {
	r := store.TimeRange{From: p.time("from"), To: p.time("to")}
	if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		p.fail("to", "must not be before from")
	}
	return r
}

// step reads a Go duration, or integer seconds, in whole microseconds (the
// stores' precision, store.AggregateQuery).
func (p *params) step() time.Duration {
	s := p.values.Get("step")
	if s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= math.MaxInt64/int(time.Second) {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d%time.Microsecond != 0 {
		p.fail("step", "must be a positive duration in whole microseconds such as 1m, or seconds, not "+strconv.Quote(s))
	}
	return d
}

func (p *params) traceID() string {
	id := strings.ToLower(p.values.Get("traceId"))
	if id != "" && !isHex(id, 32) {
		p.fail("traceId", "must be 32 hex digits")
	}
	return id
}

func (p *params) attrs() store.AttributeFilter {
	var f store.AttributeFilter
	for name, vals := range p.values {
		key, ok := strings.CutPrefix(name, attrPrefix)
		if !ok {
			continue
		}
		if key == "" {
			p.fail(name, "needs an attribute key after attr.")
		}
		if f == nil {
			f = store.AttributeFilter{}
		}
		f[key] = vals[0]
	}
	return f
}

// noAttrs refuses attribute filters where the store cannot apply them.
func (p *params) noAttrs() {
	for name := range p.values {
		if strings.HasPrefix(name, attrPrefix) {
			p.fail(name, "is not supported here: events cannot be filtered by attribute")
		}
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
