package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var lifecycleTests = []subtest{
	{"ReadAllReturnsEveryRecordInBoundedBatches", testReadAll},
	{"ConcurrentWritersLoseNothing", testConcurrentWriters},
	{"AfterCloseEveryMethodReturnsErrClosed", testClose},
}

func testPrune(t *testing.T, s store.Store) {
	cutoff := at(1000)
	write(t, s, &store.Batch{
		Spans: []store.Span{span(1, 1, 0, "old", 0, 500), span(1, 2, 1, "old-child", 100, 999),
			span(2, 3, 0, "straddles", 0, 1000), span(2, 4, 3, "early-child", 0, 10),
			span(3, 5, 0, "new", 2000, 3000)},
		Events:  []store.Event{event(1, 1, "log", "old", 999), event(2, 1, "log", "at cutoff", 1000)},
		Metrics: []store.Metric{metric(1, "m", 1, 0, nil), metric(2, "m", 2, 500, nil), metric(3, "m", 3, 1500, nil)},
		Logs:    []store.LogRecord{logRecord(1, "old", 10, 999), observedOnly(logRecord(2, "observed old", 10, 999)), logRecord(3, "new", 10, 1000)},
	})
	got := must[store.PruneResult](t)(s.Prune(ctx(t), cutoff))
	check(t, "pruned", store.PruneResult{Traces: 1, Spans: 2, Events: 1, Metrics: 2, Logs: 2}, got)
	check(t, "traces left", ids([]int{3, 2}, traceID),
		traceIDs(must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{}))))
	check(t, "spans left", 3, len(must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{}))))
	check(t, "events left", 1, len(must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{}))))
	check(t, "metrics left", 1, len(must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{}))))
	check(t, "logs left", 1, len(must[[]store.LogRecord](t)(s.QueryLogs(ctx(t), store.LogQuery{}))))
	_, err := s.GetTrace(ctx(t), traceID(1))
	wantErr(t, "pruned trace", err, store.ErrNotFound)
	check(t, "second pass", store.PruneResult{}, must[store.PruneResult](t)(s.Prune(ctx(t), cutoff)))
}

func testPruneUnsupported(t *testing.T, s store.Store) {
	_, err := s.Prune(ctx(t), at(0))
	wantErr(t, "Prune", err, store.ErrUnsupported)
}

func testReadAll(t *testing.T, s store.Store) {
	var in store.Batch
	for n := 1; n <= 25; n++ {
		in.Spans = append(in.Spans, span(n%4+1, n, 0, "s", n, n+5))
	}
	for n := 1; n <= 13; n++ {
		in.Events = append(in.Events, event(n, 0, "log", "e", n))
	}
	for n := 1; n <= 17; n++ {
		in.Metrics = append(in.Metrics, metric(n, "m", float64(n), n, nil))
	}
	for n := 1; n <= 11; n++ {
		in.Logs = append(in.Logs, logRecord(n, "line", 9, n))
	}
	write(t, s, &in)
	var got store.Batch
	err := s.ReadAll(ctx(t), 7, func(b *store.Batch) error {
		if b.Len() == 0 || b.Len() > 7 {
			t.Errorf("batch of %d records, want 1 to 7", b.Len())
		}
		got.Spans = append(got.Spans, b.Spans...)
		got.Events = append(got.Events, b.Events...)
		got.Metrics = append(got.Metrics, b.Metrics...)
		got.Logs = append(got.Logs, b.Logs...)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	check(t, "records", sorted(&in), sorted(&got))

	stop := errors.New("stop")
	calls := 0
	err = s.ReadAll(ctx(t), 10, func(*store.Batch) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ReadAll with a failing fn: %v after %d calls, want stop after 1", err, calls)
	}
	wantErr(t, "batch size 0", s.ReadAll(ctx(t), 0, func(*store.Batch) error { return nil }), store.ErrInvalid)
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	const writers, batches, traces = 6, 10, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Go(func() {
			for i := range batches {
				n := w*batches + i + 1
				// Every writer adds spans to the same few traces, so trace rows are contended.
				b := &store.Batch{
					Spans:   []store.Span{span(n%traces+1, n, 0, "root", n, n+1), span((n+1)%traces+1, 1000+n, 1, "c", n, n+2)},
					Events:  []store.Event{event(n, 0, "log", "e", n)},
					Metrics: []store.Metric{metric(n, "m", 1, n, nil)},
				}
				if err := s.Write(ctx(t), b); err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := writers * batches
	counted := 0
	for _, tr := range must[[]store.Trace](t)(s.QueryTraces(ctx(t), store.TraceQuery{})) {
		counted += tr.SpanCount
	}
	check(t, "span counts of traces", 2*total, counted)
	check(t, "spans", 2*total, len(must[[]store.Span](t)(s.QuerySpans(ctx(t), store.SpanQuery{Limit: 1000}))))
	check(t, "events", total, len(must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{Limit: 1000}))))
	check(t, "metrics", total, len(must[[]store.Metric](t)(s.QueryMetrics(ctx(t), store.MetricQuery{Limit: 1000}))))
}

func testClose(t *testing.T, s store.Store) {
	write(t, s, &store.Batch{Spans: []store.Span{span(1, 1, 0, "r", 0, 1)}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
	for name, err := range callAll(t, s) {
		wantErr(t, name, err, store.ErrClosed)
	}
}

// callAll calls every method but Close with a valid argument.
func callAll(t *testing.T, s store.Store) map[string]error {
	c := ctx(t)
	errs := map[string]error{"Write": s.Write(c, &store.Batch{Events: []store.Event{event(1, 0, "log", "e", 0)}})}
	_, errs["QueryTraces"] = s.QueryTraces(c, store.TraceQuery{})
	_, errs["GetTrace"] = s.GetTrace(c, traceID(1))
	_, errs["QuerySpans"] = s.QuerySpans(c, store.SpanQuery{})
	_, errs["QueryEvents"] = s.QueryEvents(c, store.EventQuery{})
	_, errs["QueryMetrics"] = s.QueryMetrics(c, store.MetricQuery{})
	_, errs["QueryLogs"] = s.QueryLogs(c, store.LogQuery{})
	_, errs["AggregateMetrics"] = s.AggregateMetrics(c, store.AggregateQuery{Name: "m"})
	_, errs["Prune"] = s.Prune(c, time.Now())
	errs["ReadAll"] = s.ReadAll(c, 10, func(*store.Batch) error { return nil })
	return errs
}
