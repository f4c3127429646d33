//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// testNUL writes, among good records, records that hold the NUL character
// (valid UTF-8 and valid OTLP, though PostgreSQL's text and jsonb cannot
// hold it) and the \x01 byte in every string a store keeps: names, status
// messages, scopes, types, units, attribute keys and values (a log body is
// an attribute of its event). The store must keep every record and return
// each unchanged.
func testNUL(t *testing.T, s store.Store) {
	const odd = "a\x00b\x01c\x010"
	attrs := store.Attributes{"k\x00": odd, "list": []any{"\x00", odd}, "log.body": "line\x00two"}
	bad := span(1, 1, 0, "GET \x00/", 0, 100)
	bad.StatusMessage, bad.Scope, bad.Attributes = odd, "lib\x00", attrs
	bad.Resource = store.Attributes{"service.name": "svc\x00"}
	good := span(2, 2, 0, "good", 0, 100)
	ev := event(1, 1, "log\x00", "exception\x00", 50)
	ev.Attributes = attrs
	m := metric(1, "m\x00", 1, 60, attrs)
	m.Unit = "ms\x00"
	write(t, s, &store.Batch{Spans: []store.Span{good, bad}, Events: []store.Event{event(2, 2, "log", "ok", 40), ev},
		Metrics: []store.Metric{metric(2, "ok", 2, 60, nil), m}})

	got := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(1)))
	check(t, "span with NUL", []store.Span{bad}, got.Spans)
	check(t, "trace of it", "GET \x00/", got.Trace.Name)
	check(t, "the good span", 1, len(must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(2))).Spans))
	check(t, "events", []store.Event{ev}, must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{TraceID: traceID(1)})))
	check(t, "metric", []store.Metric{m}, must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{Name: "m\x00"})))
	check(t, "all events", 2, len(must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{}))))
	check(t, "all metrics", 2, len(must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{}))))
	byAttr := must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{Attributes: store.AttributeFilter{"k\x00": odd}}))
	check(t, "spans found by a NUL attribute", []store.Span{bad}, byAttr)
	byName := must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{Name: "GET \x00/"}))
	check(t, "spans found by a NUL name", []store.Span{bad}, byName)
}
