//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"math"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var writeTests = []subtest{
	{"WriteRoundTripsEveryField", testRoundTrip},
	{"RewritingRecordsKeepsOneCopy", testIdempotent},
	{"WriteRefusesMalformedIDsAndWritesNothing", testMalformed},
	{"QueriesOnAnEmptyStoreReturnEmptySlices", testEmpty},
	{"WritesKeepNULCharactersAndTheirNeighbours", testNUL},
	{"NaNAndInfinitiesRoundTripAsDocumented", testNonFinite},
}

// richAttributes holds every attribute type that round-trips through JSON,
// including an integral float that must stay a float.
func richAttributes() store.Attributes {
	return store.Attributes{
		"s": "text", "b": true, "i": int64(-42), "f": 1.5, "whole": 100.0,
		"big": int64(1) << 60, "list": []any{"a", int64(1), 2.5, false},
		"map": map[string]any{"k": "v", "n": int64(7), "nested": map[string]any{"x": 0.25}},
	}
}

func testRoundTrip(t *testing.T, s store.Store) {
	sp := span(1, 1, 0, "root", 0, 1500)
	sp.Kind, sp.Status, sp.StatusMessage, sp.Scope = "server", store.SpanStatusError, "boom", "lib/v1"
	sp.Attributes = richAttributes()
	sp.Resource = store.Attributes{"service.name": "api", "k8s.pod.uid": "u-1"}
	ev := event(1, 1, store.EventTypeSpan, "exception", 700)
	ev.SpanID, ev.Attributes, ev.Resource = spanID(1), richAttributes(), store.Attributes{"service.name": "api"}
	m := metric(1, "latency", 12.75, 900, richAttributes())
	m.TraceID, m.AggregationType, m.Resource = traceID(1), store.AggregationHistogram, store.Attributes{"r": "x"}
	write(t, s, &store.Batch{Spans: []store.Span{sp}, Events: []store.Event{ev}, Metrics: []store.Metric{m}})

	got := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(1)))
	check(t, "span", []store.Span{sp}, got.Spans)
	check(t, "trace", store.Trace{TraceID: traceID(1), Name: "root", StartTime: at(0), EndTime: at(1500),
		Duration: 1.5, Status: store.TraceFailed, SpanCount: 1, Attributes: sp.Resource}, got.Trace)
	check(t, "events", []store.Event{ev}, must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{})))
	check(t, "metrics", []store.Metric{m}, must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{})))

	nan := metric(2, "nan", math.NaN(), 950, nil)
	write(t, s, &store.Batch{Metrics: []store.Metric{nan}})
	got2 := must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{Name: "nan"}))
	if len(got2) != 1 || !math.IsNaN(got2[0].Value) {
		t.Errorf("NaN point read back as %+v", got2)
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	b := &store.Batch{
		Spans:   []store.Span{span(1, 1, 0, "root", 0, 100), span(1, 2, 1, "child", 10, 50)},
		Events:  []store.Event{event(1, 1, "log", "e", 20)},
		Metrics: []store.Metric{metric(1, "m", 1, 30, nil)},
	}
	write(t, s, b)
	write(t, s, b)
	// A retry that overlaps: one old record of each kind and one new.
	write(t, s, &store.Batch{
		Spans:   []store.Span{b.Spans[1], span(1, 3, 1, "child2", 60, 90)},
		Events:  []store.Event{b.Events[0], event(2, 1, "log", "e2", 25)},
		Metrics: []store.Metric{b.Metrics[0], metric(2, "m", 2, 35, nil)},
	})
	tr := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(1)))
	check(t, "span count", 3, tr.Trace.SpanCount)
	check(t, "spans", 3, len(tr.Spans))
	check(t, "events", 2, len(must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{}))))
	check(t, "metrics", 2, len(must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{}))))
	check(t, "traces", 1, len(must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{}))))
}

func testMalformed(t *testing.T, s store.Store) {
	good := span(1, 1, 0, "root", 0, 10)
	for _, tc := range []struct {
		name  string
		batch store.Batch
	}{
		{"short trace id", store.Batch{Spans: []store.Span{{TraceID: "abc", SpanID: spanID(2)}}}},
		{"uppercase trace id", store.Batch{Spans: []store.Span{{TraceID: "A" + traceID(2)[1:], SpanID: spanID(2)}}}},
		{"non-hex span id", store.Batch{Spans: []store.Span{{TraceID: traceID(2), SpanID: "zzzzzzzzzzzzzzzz"}}}},
		{"bad parent id", store.Batch{Spans: []store.Span{{TraceID: traceID(2), SpanID: spanID(2), ParentSpanID: "12"}}}},
		{"bad event id", store.Batch{Events: []store.Event{{EventID: "e-1", Type: "log"}}}},
		{"bad event trace id", store.Batch{Events: []store.Event{{EventID: eventID(1), TraceID: "x"}}}},
		{"bad metric id", store.Batch{Metrics: []store.Metric{{MetricID: "", Name: "m"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.batch
			b.Spans = append([]store.Span{good}, b.Spans...)
			wantErr(t, "Write", s.Write(ctx(t), &b), store.ErrInvalid)
			_, err := s.GetTrace(ctx(t), good.TraceID)
			wantErr(t, "the batch's valid span", err, store.ErrNotFound)
		})
	}
}

func testEmpty(t *testing.T, s store.Store) {
	traces := must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{}))
	spans := must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{}))
	events := must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{}))
	metrics := must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{}))
	aggs := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), store.AggregateQuery{Name: "m"}))
	if traces == nil || spans == nil || events == nil || metrics == nil || aggs == nil {
		t.Errorf("want empty non-nil slices (JSON []), got %v %v %v %v %v", traces, spans, events, metrics, aggs)
	}
	check(t, "rows", 0, len(traces)+len(spans)+len(events)+len(metrics)+len(aggs))
}
