//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"fmt"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var queryTests = []subtest{
	{"QueryTracesFiltersAndOrders", testQueryTraces},
	{"QueriesApplyTheDefaultAndMaximumLimits", testTraceLimits},
	{"QuerySpansFiltersAndOrders", testQuerySpans},
}

// traceFixture writes five one-span traces; trace n starts at n*100ms, and
// traces 4 and 5 start together to test the tie order.
func traceFixture(t *testing.T, s store.Store) {
	res := []store.Attributes{
		1: {"service.name": "api", "region": "eu", "replicas": int64(42)},
		2: {"service.name": "api", "canary": true, "ratio": 1.5},
		3: {"service.name": "worker", "ratio": 100.0, "tags": []any{"api"}},
		4: {"service.name": "worker", "canary": false, "replicas": int64(-3)},
		5: {"service.name": "cron", "region": "us"},
	}
	var b store.Batch
	for n := 1; n <= 5; n++ {
		start := n * 100
		if n == 5 {
			start = 400
		}
		sp := withResource(span(n, n, 0, []string{"", "GET /", "GET /", "job", "job", "tick"}[n], start, start+50), res[n])
		if n%2 == 0 {
			sp.Status = store.SpanStatusError
		}
		b.Spans = append(b.Spans, sp)
	}
	write(t, s, &b)
}

func testQueryTraces(t *testing.T, s store.Store) {
	traceFixture(t, s)
	for _, tc := range []struct {
		name string
		q    store.TraceQuery
		want []int
	}{
		{"all newest first, ties by id", store.TraceQuery{}, []int{4, 5, 3, 2, 1}},
		{"limit", store.TraceQuery{Limit: 2}, []int{4, 5}},
		{"status failed", store.TraceQuery{Status: store.TraceFailed}, []int{4, 2}},
		{"status completed", store.TraceQuery{Status: store.TraceCompleted}, []int{5, 3, 1}},
		{"name", store.TraceQuery{Name: "GET /"}, []int{2, 1}},
		{"from is inclusive", store.TraceQuery{Time: store.TimeRange{From: at(300)}}, []int{4, 5, 3}},
		{"to is exclusive", store.TraceQuery{Time: store.TimeRange{To: at(300)}}, []int{2, 1}},
		{"from and to", store.TraceQuery{Time: store.TimeRange{From: at(200), To: at(400)}}, []int{3, 2}},
		{"string attribute", store.TraceQuery{Attributes: store.AttributeFilter{"service.name": "worker"}}, []int{4, 3}},
		{"int attribute", store.TraceQuery{Attributes: store.AttributeFilter{"replicas": "42"}}, []int{1}},
		{"negative int attribute", store.TraceQuery{Attributes: store.AttributeFilter{"replicas": "-3"}}, []int{4}},
		{"bool attribute", store.TraceQuery{Attributes: store.AttributeFilter{"canary": "true"}}, []int{2}},
		{"false bool attribute", store.TraceQuery{Attributes: store.AttributeFilter{"canary": "false"}}, []int{4}},
		{"float attribute", store.TraceQuery{Attributes: store.AttributeFilter{"ratio": "1.5"}}, []int{2}},
		{"integral float renders without a point", store.TraceQuery{Attributes: store.AttributeFilter{"ratio": "100"}}, []int{3}},
		{"non-canonical number text matches nothing", store.TraceQuery{Attributes: store.AttributeFilter{"ratio": "1.50"}}, []int{}},
		{"lists never match", store.TraceQuery{Attributes: store.AttributeFilter{"tags": "api"}}, []int{}},
		{"every key must match", store.TraceQuery{Attributes: store.AttributeFilter{"service.name": "api", "region": "eu"}}, []int{1}},
		{"missing key", store.TraceQuery{Attributes: store.AttributeFilter{"nope": "x"}}, []int{}},
		{"everything together", store.TraceQuery{Status: store.TraceFailed, Name: "job",
			Time: store.TimeRange{From: at(400)}, Attributes: store.AttributeFilter{"service.name": "worker"}}, []int{4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must[[]store.Trace](t)(s.QueryTraces(ctx(t), tc.q))
			check(t, "trace ids", ids(tc.want, traceID), traceIDs(got))
		})
	}
}

func ids(ns []int, id func(int) string) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, id(n))
	}
	return out
}

func traceIDs(ts []store.Trace) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.TraceID)
	}
	return out
}

func testTraceLimits(t *testing.T, s store.Store) {
	const n = store.DefaultLimit + 20
	var b store.Batch
	for i := 1; i <= n; i++ {
		b.Spans = append(b.Spans, span(i, i, 0, "t", i, i+1))
		b.Events = append(b.Events, event(i, 0, "log", "e", i))
		b.Metrics = append(b.Metrics, metric(i, "m", 1, i, nil))
	}
	write(t, s, &b)
	for _, tc := range []struct{ limit, want int }{
		{0, store.DefaultLimit}, {-1, store.DefaultLimit}, {7, 7}, {store.MaxLimit * 2, n},
	} {
		t.Run(fmt.Sprintf("limit %d", tc.limit), func(t *testing.T) {
			// Each query returns the newest rows, and the i-th record is the i-th newest.
			traces := must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{Limit: tc.limit}))
			spans := must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{Limit: tc.limit}))
			events := must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{Limit: tc.limit}))
			metrics := must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{Limit: tc.limit}))
			check(t, "counts", []int{tc.want, tc.want, tc.want, tc.want},
				[]int{len(traces), len(spans), len(events), len(metrics)})
			check(t, "newest", []string{traceID(n), spanID(n), eventID(n), metricID(n)},
				[]string{traces[0].TraceID, spans[0].SpanID, events[0].EventID, metrics[0].MetricID})
		})
	}
}

func testQuerySpans(t *testing.T, s store.Store) {
	a := span(1, 1, 0, "root", 0, 100)
	a.Attributes = store.Attributes{"http.status": int64(200)}
	b := span(1, 2, 1, "db", 10, 20)
	b.Attributes, b.Resource = store.Attributes{"db": "pg"}, store.Attributes{"host": "h1"}
	c := span(2, 3, 0, "root", 10, 30)
	c.Attributes, c.Resource = store.Attributes{"host": "h2"}, store.Attributes{"db": "pg"}
	write(t, s, &store.Batch{Spans: []store.Span{a, b, c}})
	for _, tc := range []struct {
		name string
		q    store.SpanQuery
		want []int
	}{
		{"all newest first, ties by span id", store.SpanQuery{}, []int{2, 3, 1}},
		{"by trace", store.SpanQuery{TraceID: traceID(1)}, []int{2, 1}},
		{"by name", store.SpanQuery{Name: "root"}, []int{3, 1}},
		{"limit", store.SpanQuery{Limit: 1}, []int{2}},
		{"time", store.SpanQuery{Time: store.TimeRange{From: at(5), To: at(10)}}, []int{}},
		{"span attribute", store.SpanQuery{Attributes: store.AttributeFilter{"http.status": "200"}}, []int{1}},
		{"span or resource attribute", store.SpanQuery{Attributes: store.AttributeFilter{"db": "pg"}}, []int{2, 3}},
		{"resource attribute", store.SpanQuery{Attributes: store.AttributeFilter{"host": "h1"}}, []int{2}},
		{"unknown trace", store.SpanQuery{TraceID: traceID(9)}, []int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must[[]store.Span](t)(s.QuerySpans(ctx(t), tc.q))
			gotIDs := []string{}
			for _, sp := range got {
				gotIDs = append(gotIDs, sp.SpanID)
			}
			check(t, "span ids", ids(tc.want, spanID), gotIDs)
		})
	}
	_, err := s.QuerySpans(ctx(t), store.SpanQuery{TraceID: "nope"})
	wantErr(t, "malformed trace id", err, store.ErrInvalid)
}
