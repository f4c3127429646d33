//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var signalTests = []subtest{
	{"QueryEventsFiltersAndOrders", testQueryEvents},
	{"QueryMetricsFiltersAndOrders", testQueryMetrics},
}

func testQueryEvents(t *testing.T, s store.Store) {
	write(t, s, &store.Batch{Events: []store.Event{
		event(1, 1, store.EventTypeSpan, "exception", 10),
		event(2, 1, store.EventTypeLog, "started", 20),
		event(3, 2, store.EventTypeLog, "started", 30),
		event(4, 0, "deploy", "rollout", 30),
		event(5, 0, store.EventTypeLog, "orphan", 40),
	}})
	for _, tc := range []struct {
		name string
		q    store.EventQuery
		want []int
	}{
		{"all newest first, ties by id", store.EventQuery{}, []int{5, 3, 4, 2, 1}},
		{"by type", store.EventQuery{Type: store.EventTypeLog}, []int{5, 3, 2}},
		{"by name", store.EventQuery{Name: "started"}, []int{3, 2}},
		{"by trace", store.EventQuery{TraceID: traceID(1)}, []int{2, 1}},
		{"type and trace", store.EventQuery{TraceID: traceID(1), Type: store.EventTypeSpan}, []int{1}},
		{"time from inclusive to exclusive", store.EventQuery{Time: store.TimeRange{From: at(20), To: at(40)}}, []int{3, 4, 2}},
		{"limit", store.EventQuery{Limit: 2}, []int{5, 3}},
		{"unknown trace", store.EventQuery{TraceID: traceID(7)}, []int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must[[]store.Event](t)(s.QueryEvents(ctx(t), tc.q))
			gotIDs := []string{}
			for _, e := range got {
				gotIDs = append(gotIDs, e.EventID)
			}
			check(t, "event ids", ids(tc.want, eventID), gotIDs)
		})
	}
	_, err := s.QueryEvents(ctx(t), store.EventQuery{TraceID: "XYZ"})
	wantErr(t, "malformed trace id", err, store.ErrInvalid)
}

func testQueryMetrics(t *testing.T, s store.Store) {
	withRes := metric(4, "cpu", 0.5, 30, store.Attributes{"core": int64(1)})
	withRes.Resource = store.Attributes{"host": "h1", "core": int64(2)}
	write(t, s, &store.Batch{Metrics: []store.Metric{
		metric(1, "latency", 10, 10, store.Attributes{"route": "/a", "code": int64(200), "ok": true}),
		metric(2, "latency", 20, 20, store.Attributes{"route": "/b", "code": int64(500), "ok": false}),
		metric(3, "latency", 30, 30, store.Attributes{"route": "/a", "weight": 0.1}),
		withRes,
		metric(5, "size", 1, 40, store.Attributes{"n": int64(1000000), "w": int64(100)}),
		metric(6, "size", 1, 41, store.Attributes{"n": 1e6, "w": 100.0}),
	}})
	for _, tc := range []struct {
		name string
		q    store.MetricQuery
		want []int
	}{
		{"all newest first, ties by id", store.MetricQuery{}, []int{6, 5, 3, 4, 2, 1}},
		{"large int renders in decimal", store.MetricQuery{Attributes: store.AttributeFilter{"n": "1000000"}}, []int{5}},
		{"large float renders with an exponent", store.MetricQuery{Attributes: store.AttributeFilter{"n": "1e+06"}}, []int{6}},
		{"small int and integral float render alike", store.MetricQuery{Attributes: store.AttributeFilter{"w": "100"}}, []int{6, 5}},
		{"by name", store.MetricQuery{Name: "latency"}, []int{3, 2, 1}},
		{"time", store.MetricQuery{Time: store.TimeRange{From: at(20), To: at(30)}}, []int{2}},
		{"time from inclusive", store.MetricQuery{Time: store.TimeRange{From: at(30)}}, []int{6, 5, 3, 4}},
		{"string attribute", store.MetricQuery{Attributes: store.AttributeFilter{"route": "/a"}}, []int{3, 1}},
		{"int attribute", store.MetricQuery{Attributes: store.AttributeFilter{"code": "500"}}, []int{2}},
		{"bool attribute", store.MetricQuery{Attributes: store.AttributeFilter{"ok": "true"}}, []int{1}},
		{"float attribute", store.MetricQuery{Attributes: store.AttributeFilter{"weight": "0.1"}}, []int{3}},
		{"resource attribute", store.MetricQuery{Attributes: store.AttributeFilter{"host": "h1"}}, []int{4}},
		{"point or resource value", store.MetricQuery{Attributes: store.AttributeFilter{"core": "2"}}, []int{4}},
		{"limit", store.MetricQuery{Name: "latency", Limit: 1}, []int{3}},
		{"unknown name", store.MetricQuery{Name: "nope"}, []int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must[[]store.Metric](t)(s.QueryMetrics(ctx(t), tc.q))
			gotIDs := []string{}
			for _, m := range got {
				gotIDs = append(gotIDs, m.MetricID)
			}
			check(t, "metric ids", ids(tc.want, metricID), gotIDs)
		})
	}
}
