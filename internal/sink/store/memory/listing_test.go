package memory_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// Listings walk the records from the newest written back and stop early
// (fifoItem.bound). Whatever order records arrive in (late spans that move
// a trace's start earlier, clocks far ahead, evictions, pruning), a page
// must be the head of the whole listing, which a limit as large as the
// store reads by scanning every record.
func TestListingPagesAreTheHeadOfTheWholeListing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	s := memory.New(config.Memory{MaxTraces: 300, MaxEvents: 300, MaxMetricPoints: 300})
	base := time.Unix(1_700_000_000, 0).UTC()
	at := func(i int) time.Time {
		switch rng.IntN(20) {
		case 0: // a clock far ahead
			return base.Add(time.Duration(i+rng.IntN(5000)) * time.Second)
		case 1, 2: // late, or a retried batch
			return base.Add(time.Duration(i-rng.IntN(200)) * time.Second)
		}
		return base.Add(time.Duration(i) * time.Second)
	}
	statuses := []string{store.SpanStatusOK, store.SpanStatusOK, store.SpanStatusError}
	for i := range 1000 {
		var b store.Batch
		tr := i
		if i%7 == 3 { // a later span of an earlier trace, maybe starting before it
			tr = max(i-rng.IntN(50)-1, 0)
		}
		ts := at(i)
		b.Spans = append(b.Spans, store.Span{TraceID: fmt.Sprintf("%032x", tr+1), SpanID: fmt.Sprintf("%016x", i+1),
			Name: "op", Kind: "internal", StartTime: ts, EndTime: ts.Add(time.Second), Duration: 1,
			Status: statuses[rng.IntN(len(statuses))]})
		b.Events = append(b.Events, store.Event{EventID: fmt.Sprintf("%032x", i+1), Type: "log", Name: "n", Timestamp: at(i)})
		b.Metrics = append(b.Metrics, store.Metric{MetricID: fmt.Sprintf("%032x", i+1), Name: fmt.Sprintf("m%d", i%3),
			AggregationType: "gauge", Value: 1, Timestamp: at(i)})
		if err := s.Write(t.Context(), &b); err != nil {
			t.Fatal(err)
		}
		if i%250 == 249 {
			if _, err := s.Prune(t.Context(), base.Add(time.Duration(i-400)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if i%50 != 49 {
			continue
		}
		for _, limit := range []int{1, 10, 25} {
			checkPage(t, i, limit, func(l int) (any, error) {
				return s.QueryTraces(t.Context(), store.TraceQuery{Limit: l})
			})
			checkPage(t, i, limit, func(l int) (any, error) {
				return s.QueryTraces(t.Context(), store.TraceQuery{Limit: l, Status: store.TraceFailed})
			})
			checkPage(t, i, limit, func(l int) (any, error) {
				return s.QueryEvents(t.Context(), store.EventQuery{Limit: l})
			})
			checkPage(t, i, limit, func(l int) (any, error) {
				return s.QueryMetrics(t.Context(), store.MetricQuery{Limit: l, Name: "m1"})
			})
		}
	}
}

// checkPage compares a page of limit records with the head of the listing
// read with a limit larger than the store.
func checkPage(t *testing.T, i, limit int, list func(limit int) (any, error)) {
	t.Helper()
	page, err := list(limit)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := list(store.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	head := headOf(whole, limit)
	if d := cmp.Diff(head, page); d != "" {
		t.Fatalf("after %d writes, a page of %d (-head of the whole listing +page):\n%s", i+1, limit, d)
	}
}

func headOf(whole any, n int) any {
	switch w := whole.(type) {
	case []store.Trace:
		return w[:min(n, len(w))]
	case []store.Event:
		return w[:min(n, len(w))]
	case []store.Metric:
		return w[:min(n, len(w))]
	}
	panic(fmt.Sprintf("unexpected %T", whole))
}
