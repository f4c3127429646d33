package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The writer reads the stored trace rows 64 at a time; a batch adding spans
// to more traces than that must still merge into every one of them.
func TestWriteMergesIntoMoreStoredTracesThanOneLookupReads(t *testing.T) {
	s := open(t)
	const traces = 150
	start := time.Unix(1_700_000_000, 0).UTC()
	span := func(trace, i int) store.Span {
		sp := store.Span{TraceID: fmt.Sprintf("%032x", trace+1), SpanID: fmt.Sprintf("%016x", trace*10+i+1),
			Name: fmt.Sprintf("op-%d", i), Kind: "internal", Status: store.SpanStatusOK,
			StartTime: start.Add(time.Duration(i) * time.Second), EndTime: start.Add(time.Duration(i+1) * time.Second),
			Duration: 1}
		if i > 0 {
			sp.ParentSpanID = fmt.Sprintf("%016x", trace*10+1)
		}
		return sp
	}
	for i := range 2 {
		var b store.Batch
		for tr := range traces {
			b.Spans = append(b.Spans, span(tr, i))
		}
		if err := s.Write(t.Context(), &b); err != nil {
			t.Fatal(err)
		}
	}
	for tr := range traces {
		d, err := s.GetTrace(t.Context(), fmt.Sprintf("%032x", tr+1))
		if err != nil {
			t.Fatal(err)
		}
		want := store.Trace{TraceID: fmt.Sprintf("%032x", tr+1), Name: "op-0", StartTime: start,
			EndTime: start.Add(2 * time.Second), Duration: 2, Status: store.TraceCompleted, SpanCount: 2}
		if diff := cmp.Diff(want, d.Trace); diff != "" {
			t.Fatalf("trace %d (-want +got):\n%s", tr, diff)
		}
	}
}
