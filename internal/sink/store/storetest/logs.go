//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var logTests = []subtest{
	{"LogRecordsRoundTripEveryField", testLogRoundTrip},
	{"LogQueriesFilterAndListNewestFirst", testLogQueries},
	{"RewritingLogRecordsKeepsOneCopy", testLogIdempotent},
}

// logRecord is log record n with a string body, a severity and a time.
func logRecord(n int, body string, severity int32, ms int) store.LogRecord {
	return store.LogRecord{LogID: logID(n), Timestamp: at(ms), ObservedTimestamp: at(ms + 1),
		SeverityNumber: severity, Body: body}
}

// observedOnly drops a record's time, as SDKs may: it is then listed by
// the time it was observed.
func observedOnly(l store.LogRecord) store.LogRecord {
	l.ObservedTimestamp, l.Timestamp = l.Timestamp, time.Unix(0, 0).UTC()
	return l
}

func testLogRoundTrip(t *testing.T, s store.Store) {
	full := logRecord(1, "", 17, 100)
	full.Body = map[string]any{"msg": "payment failed", "code": int64(402), "retry": true, "ratio": 0.5,
		"tags": []any{"a", int64(1)}, "nested": map[string]any{"k": "v"}}
	full.SeverityText, full.EventName, full.Flags, full.Scope = "ERROR", "payment.failed", 1, "shop/payments"
	full.TraceID, full.SpanID = traceID(1), spanID(1)
	full.Attributes, full.Resource = richAttributes(), store.Attributes{"service.name": "shop"}
	bodies := []any{"plain line", int64(42), 2.5, false, []any{"x", 1.5}, nil}
	in := make([]store.LogRecord, 0, 2+len(bodies))
	in = append(in, full, observedOnly(logRecord(2, "observed only", 9, 50)))
	for i, body := range bodies {
		l := logRecord(10+i, "", 0, 10+i)
		l.Body = body
		in = append(in, l)
	}
	write(t, s, &store.Batch{Logs: in})
	got := must[[]store.LogRecord](t)(s.QueryLogs(ctx(t), store.LogQuery{}))
	check(t, "log records", sorted(&store.Batch{Logs: in}).Logs, sorted(&store.Batch{Logs: got}).Logs)
}

func testLogQueries(t *testing.T, s store.Store) {
	a, b, c, d := logRecord(1, "GET /cart 200", 9, 100), logRecord(2, "GET /pay 500", 17, 200),
		logRecord(3, "debugging", 5, 300), observedOnly(logRecord(4, "late", 21, 250))
	a.Resource, b.Resource = store.Attributes{"service.name": "cart"}, store.Attributes{"service.name": "pay"}
	b.TraceID, b.SpanID, b.Attributes = traceID(7), spanID(7), store.Attributes{"http.status_code": int64(500)}
	c.Attributes = store.Attributes{"http.status_code": "500"}
	write(t, s, &store.Batch{Logs: []store.LogRecord{a, b, c, d}})
	for _, tc := range []struct {
		name string
		q    store.LogQuery
		want []int
	}{
		{"all, newest Time first", store.LogQuery{}, []int{3, 4, 2, 1}},
		{"limit", store.LogQuery{Limit: 2}, []int{3, 4}},
		{"time range", store.LogQuery{Time: store.TimeRange{From: at(200), To: at(300)}}, []int{4, 2}},
		{"min severity", store.LogQuery{MinSeverity: 13}, []int{4, 2}},
		{"trace", store.LogQuery{TraceID: traceID(7)}, []int{2}},
		{"span", store.LogQuery{SpanID: spanID(7)}, []int{2}},
		{"service", store.LogQuery{Service: "cart"}, []int{1}},
		{"body substring", store.LogQuery{Body: "GET /"}, []int{2, 1}},
		{"body is case-sensitive", store.LogQuery{Body: "get"}, nil},
		{"attribute of any type", store.LogQuery{Attributes: store.AttributeFilter{"http.status_code": "500"}}, []int{3, 2}},
		{"resource attribute", store.LogQuery{Attributes: store.AttributeFilter{"service.name": "pay"}}, []int{2}},
		{"together", store.LogQuery{MinSeverity: 9, Body: "GET", Service: "pay"}, []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must[[]store.LogRecord](t)(s.QueryLogs(ctx(t), tc.q))
			ids := make([]string, 0, len(got))
			for _, l := range got {
				ids = append(ids, l.LogID)
			}
			check(t, "log ids", idList(tc.want, logID), ids)
		})
	}
	_, err := s.QueryLogs(ctx(t), store.LogQuery{TraceID: "not-hex"})
	wantErr(t, "malformed trace id", err, store.ErrInvalid)
}

func testLogIdempotent(t *testing.T, s store.Store) {
	b := &store.Batch{Logs: []store.LogRecord{logRecord(1, "once", 9, 10), logRecord(2, "twice", 9, 20)}}
	write(t, s, b)
	write(t, s, b)
	write(t, s, &store.Batch{Logs: []store.LogRecord{logRecord(2, "twice", 9, 20)}})
	check(t, "log records", 2, len(must[[]store.LogRecord](t)(s.QueryLogs(ctx(t), store.LogQuery{}))))
}

func idList(ns []int, id func(int) string) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, id(n))
	}
	return out
}
