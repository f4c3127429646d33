//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// nonFiniteAttributes holds NaN and both infinities at the top level and
// nested in a list and a map, next to finite values that must not change.
func nonFiniteAttributes() store.Attributes {
	return store.Attributes{
		"nan": math.NaN(), "pinf": math.Inf(1), "ninf": math.Inf(-1), "f": 2.5,
		"list": []any{math.NaN(), 1.5, math.Inf(1), "x"},
		"map":  map[string]any{"low": math.Inf(-1), "deep": []any{math.NaN()}, "n": int64(3)},
	}
}

// testNonFinite writes NaN and infinities as span, resource, event and
// metric attributes and as metric values. Values come back as the same
// floats; attributes as the same floats or, from stores that keep JSON, as
// the strings "NaN", "+Inf" and "-Inf" (store.Attributes), which is what the
// query API writes for either. Filters match their text, and aggregations
// leave NaN out and keep the infinities.
func testNonFinite(t *testing.T, s store.Store) {
	sp := span(1, 1, 0, "root", 0, 100)
	sp.Attributes, sp.Resource = nonFiniteAttributes(), store.Attributes{"r": math.Inf(1)}
	ev := event(1, 1, store.EventTypeSpan, "e", 50)
	ev.SpanID, ev.Attributes = spanID(1), nonFiniteAttributes()
	metrics := make([]store.Metric, 0, 4)
	for i, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1} {
		metrics = append(metrics, metric(i+1, "nf", v, 60+i, nonFiniteAttributes()))
	}
	write(t, s, &store.Batch{Spans: []store.Span{sp}, Events: []store.Event{ev}, Metrics: metrics})

	got := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(1)))
	checkNonFinite(t, "span", []store.Span{sp}, got.Spans)
	checkNonFinite(t, "trace attributes", sp.Resource, got.Trace.Attributes)
	checkNonFinite(t, "events", []store.Event{ev}, must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{})))
	gotMetrics := must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{Name: "nf"}))
	checkNonFinite(t, "metrics", []store.Metric{metrics[3], metrics[2], metrics[1], metrics[0]}, gotMetrics)

	for key, text := range map[string]string{"nan": "NaN", "pinf": "+Inf", "ninf": "-Inf", "r": "+Inf"} {
		q := store.SpanQuery{Attributes: store.AttributeFilter{key: text}}
		check(t, "spans matching "+key+"="+text, 1, len(must[[]store.Span](t)(s.QuerySpans(ctx(t), q))))
	}
	// NaN is left out; -Inf and +Inf sum to NaN, and the percentiles
	// interpolate between the sorted values -Inf, 1 and +Inf.
	aggs := must[[]store.Aggregate](t)(s.AggregateMetrics(ctx(t), store.AggregateQuery{Name: "nf"}))
	want := []store.Aggregate{{Start: at(61), Count: 3, Sum: math.NaN(), Avg: math.NaN(),
		Min: math.Inf(-1), Max: math.Inf(1), P50: 1, P95: math.Inf(1), P99: math.Inf(1)}}
	checkNonFinite(t, "aggregate", want, aggs)
}

// checkNonFinite compares like check, with NaN equal to NaN and every
// non-finite float inside attributes taken as its documented string.
func checkNonFinite(t *testing.T, what string, want, got any) {
	t.Helper()
	// Empty maps are left to EquateEmpty in opts.
	norm := cmp.FilterValues(func(a, b store.Attributes) bool { return len(a) > 0 && len(b) > 0 },
		cmp.Transformer("nonFiniteAsText", func(a store.Attributes) map[string]any {
			return nonFiniteAsText(map[string]any(a)).(map[string]any)
		}))
	if d := cmp.Diff(want, got, opts, cmpopts.EquateNaNs(), norm); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// nonFiniteAsText replaces NaN and the infinities by their strings, in
// lists and maps too.
func nonFiniteAsText(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "+Inf"
		case math.IsInf(x, -1):
			return "-Inf"
		}
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = nonFiniteAsText(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k := range x {
			out[k] = nonFiniteAsText(x[k])
		}
		return out
	}
	return v
}
