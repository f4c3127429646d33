package tracerow_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/tracerow"
)

func TestFromSpansThenMergeFollowTheTraceRules(t *testing.T) {
	t0 := time.Unix(1000, 0).UTC()
	sp := func(trace, parent, name, status string, start, end int, res store.Attributes) store.Span {
		return store.Span{TraceID: trace, ParentSpanID: parent, Name: name, Status: status,
			StartTime: t0.Add(time.Duration(start) * time.Second), EndTime: t0.Add(time.Duration(end) * time.Second),
			Resource: res}
	}
	rows := tracerow.FromSpans([]store.Span{
		sp("b", "p", "child", store.SpanStatusOK, 5, 6, store.Attributes{"k": "first"}),
		sp("a", "", "root-a", store.SpanStatusUnset, 1, 2, nil),
		sp("b", "p", "child2", store.SpanStatusError, 3, 4, store.Attributes{"k": "second", "x": int64(1)}),
	})
	// The stored row of trace b came first, so its values win over the batch's.
	stored := &tracerow.Row{HasRoot: true, Trace: store.Trace{TraceID: "b", Name: "", StartTime: t0.Add(4 * time.Second),
		EndTime: t0.Add(10 * time.Second), Status: store.TraceCompleted, SpanCount: 2, Attributes: store.Attributes{"x": int64(0)}}}
	stored.Merge(rows[0])
	want := []*tracerow.Row{
		{HasRoot: true, Trace: store.Trace{TraceID: "b", StartTime: t0.Add(3 * time.Second), EndTime: t0.Add(10 * time.Second),
			Duration: 7, Status: store.TraceFailed, SpanCount: 4, Attributes: store.Attributes{"k": "first", "x": int64(0)}}},
		{HasRoot: true, Trace: store.Trace{TraceID: "a", Name: "root-a", StartTime: t0.Add(time.Second), EndTime: t0.Add(2 * time.Second),
			Duration: 1, Status: store.TraceCompleted, SpanCount: 1}},
	}
	if d := cmp.Diff(want, []*tracerow.Row{stored, rows[1]}); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}
