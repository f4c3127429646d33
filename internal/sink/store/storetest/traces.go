//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var traceTests = []subtest{
	{"TracesAreDerivedFromTheirSpans", testTraceAssembly},
	{"GetTraceOrdersSpansByStartTime", testGetTraceOrder},
	{"GetTraceOfAnUnknownIDIsNotFound", testGetTraceNotFound},
	{"GetTraceOfAMalformedIDIsInvalid", testGetTraceInvalid},
}

func withStatus(sp store.Span, status string) store.Span {
	sp.Status = status
	return sp
}

func withResource(sp store.Span, r store.Attributes) store.Span {
	sp.Resource = r
	return sp
}

func testTraceAssembly(t *testing.T, s store.Store) {
	for i, tc := range []struct {
		name    string
		batches [][]store.Span // written in order; trace 1 in each case, offset below
		want    store.Trace
	}{
		{"one root span", [][]store.Span{{span(1, 1, 0, "GET /", 0, 250)}},
			store.Trace{Name: "GET /", StartTime: at(0), EndTime: at(250), Duration: 0.25,
				Status: store.TraceCompleted, SpanCount: 1}},
		{"an error in a child fails the trace", [][]store.Span{{span(1, 1, 0, "root", 0, 100),
			withStatus(span(1, 2, 1, "db", 10, 20), store.SpanStatusError),
			withStatus(span(1, 3, 1, "ok", 30, 40), store.SpanStatusOK)}},
			store.Trace{Name: "root", StartTime: at(0), EndTime: at(100), Duration: 0.1,
				Status: store.TraceFailed, SpanCount: 3}},
		{"separate batches with the root last", [][]store.Span{{span(1, 2, 1, "child", -50, 20)},
			{span(1, 3, 2, "leaf", 5, 900)}, {span(1, 1, 0, "root", 0, 100)}},
			store.Trace{Name: "root", StartTime: at(-50), EndTime: at(900), Duration: 0.95,
				Status: store.TraceCompleted, SpanCount: 3}},
		{"no root yet leaves the name empty", [][]store.Span{{span(1, 2, 1, "child", 0, 20)}},
			store.Trace{StartTime: at(0), EndTime: at(20), Duration: 0.02,
				Status: store.TraceCompleted, SpanCount: 1}},
		{"first written resource attribute wins", [][]store.Span{
			{withResource(span(1, 2, 1, "a", 0, 10), store.Attributes{"svc": "first", "only1": int64(1)}),
				withResource(span(1, 3, 1, "b", 0, 10), store.Attributes{"svc": "second", "only2": true})},
			{withResource(span(1, 1, 0, "root", 0, 10), store.Attributes{"svc": "third", "only1": int64(9), "f": 2.5})}},
			store.Trace{Name: "root", StartTime: at(0), EndTime: at(10), Duration: 0.01,
				Status: store.TraceCompleted, SpanCount: 3,
				Attributes: store.Attributes{"svc": "first", "only1": int64(1), "only2": true, "f": 2.5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each case gets its own trace and span ids in the shared store.
			tr := 100 * (i + 1)
			for _, b := range tc.batches {
				spans := make([]store.Span, len(b))
				for j, sp := range b {
					spans[j] = renumber(sp, tr)
				}
				write(t, s, &store.Batch{Spans: spans})
			}
			want := tc.want
			want.TraceID = traceID(tr)
			got := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), want.TraceID))
			check(t, "GetTrace", want, got.Trace)
			// QueryTraces must build the same row; the cases share the store.
			var listed []store.Trace
			for _, tr := range must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{})) {
				if tr.TraceID == want.TraceID {
					listed = append(listed, tr)
				}
			}
			check(t, "QueryTraces", []store.Trace{want}, listed)
		})
	}
}

// renumber moves a span built for trace 1 to trace tr, with span ids offset
// by tr, so that cases sharing a store do not collide.
func renumber(sp store.Span, tr int) store.Span {
	sp.TraceID = traceID(tr)
	sp.SpanID = spanID(tr + idNumber(sp.SpanID))
	if sp.ParentSpanID != "" {
		sp.ParentSpanID = spanID(tr + idNumber(sp.ParentSpanID))
	}
	return sp
}

func idNumber(spanIDHex string) int {
	n := 0
	for _, c := range spanIDHex {
		n = n*16 + int(hexValue(c))
	}
	return n - 0xb000
}

func hexValue(c rune) rune {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

func testGetTraceOrder(t *testing.T, s store.Store) {
	spans := []store.Span{span(1, 4, 1, "d", 30, 40), span(1, 1, 0, "a", 0, 100),
		span(1, 3, 1, "c", 20, 25), span(1, 2, 1, "b", 10, 90), span(1, 5, 1, "b-tie", 10, 11)}
	write(t, s, &store.Batch{Spans: spans[:2]})
	write(t, s, &store.Batch{Spans: spans[2:]})
	got := must[*store.TraceDetail](t)(s.GetTrace(ctx(t), traceID(1)))
	names := make([]string, 0, len(got.Spans))
	for _, sp := range got.Spans {
		names = append(names, sp.Name)
	}
	check(t, "span order", []string{"a", "b", "b-tie", "c", "d"}, names)
}

func testGetTraceNotFound(t *testing.T, s store.Store) {
	write(t, s, &store.Batch{Spans: []store.Span{span(1, 1, 0, "root", 0, 10)}})
	_, err := s.GetTrace(ctx(t), traceID(2))
	wantErr(t, "GetTrace", err, store.ErrNotFound)
}

func testGetTraceInvalid(t *testing.T, s store.Store) {
	for _, id := range []string{"", "abc", traceID(1) + "0", "G" + traceID(1)[1:], "A" + traceID(1)[1:],
		"00000000-0000-0000-0000-000000000001"} {
		_, err := s.GetTrace(ctx(t), id)
		wantErr(t, "GetTrace("+id+")", err, store.ErrInvalid)
	}
}
