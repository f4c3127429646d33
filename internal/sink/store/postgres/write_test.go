package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// repeatSpans makes n spans of one trace, ids first+1 to first+n.
func repeatSpans(first, n int) []store.Span {
	at := time.Unix(1_700_000_000, 0).UTC()
	out := make([]store.Span, n)
	for i := range out {
		out[i] = store.Span{TraceID: fmt.Sprintf("%032x", 7), SpanID: fmt.Sprintf("%016x", first+i+1), Name: "s",
			Kind: "internal", StartTime: at, EndTime: at.Add(time.Second), Duration: 1, Status: store.SpanStatusOK}
	}
	return out
}

// A span id that is already stored makes the first attempt's COPY fail;
// the second attempt must store the rest and count each span once, also
// when the repeat is inside the batch itself.
func TestWriteStoresEachSpanOnceWhenABatchRepeatsOne(t *testing.T) {
	s := open(t)
	inner := repeatSpans(0, 3)
	inner = append(inner, inner[1])
	if err := s.Write(t.Context(), &store.Batch{Spans: inner}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), &store.Batch{Spans: repeatSpans(2, 3)}); err != nil {
		t.Fatal(err)
	}
	wantSpans(t, s, 5)
}

// Writers that store the same batches at once (a batch retried while its
// first attempt still runs) wait for each other's span ids; none may fail
// or count a span twice.
func TestConcurrentWritesOfTheSameSpansStoreEachOnce(t *testing.T) {
	s := open(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 5 {
				// Overlapping ranges, in a different order per writer.
				b := &store.Batch{Spans: repeatSpans(((i+w)%5)*20, 40)}
				if err := s.Write(t.Context(), b); err != nil {
					t.Errorf("writer %d batch %d: %v", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	wantSpans(t, s, 120)
}

func wantSpans(t *testing.T, s store.Store, n int) {
	t.Helper()
	tr, err := s.GetTrace(t.Context(), fmt.Sprintf("%032x", 7))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Trace.SpanCount != n || len(tr.Spans) != n {
		t.Errorf("span count %d, %d spans stored; want %d of each", tr.Trace.SpanCount, len(tr.Spans), n)
	}
}
