package storetest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// runNoQuery checks a store that declares NoQuery: every query and ReadAll
// refuse with ErrUnsupported, and Close behaves as for every store.
func runNoQuery(t *testing.T, newStore NewStore, caps store.Capabilities) {
	t.Run("EveryQueryReturnsErrUnsupported", func(t *testing.T) {
		s := newStore(t)
		c := ctx(t)
		errs := map[string]error{}
		_, errs["QueryTraces"] = s.QueryTraces(c, store.TraceQuery{})
		_, errs["GetTrace"] = s.GetTrace(c, traceID(1))
		_, errs["QuerySpans"] = s.QuerySpans(c, store.SpanQuery{})
		_, errs["QueryEvents"] = s.QueryEvents(c, store.EventQuery{})
		_, errs["QueryMetrics"] = s.QueryMetrics(c, store.MetricQuery{})
		_, errs["QueryLogs"] = s.QueryLogs(c, store.LogQuery{})
		_, errs["AggregateMetrics"] = s.AggregateMetrics(c, store.AggregateQuery{Name: "m"})
		errs["ReadAll"] = s.ReadAll(c, 10, func(*store.Batch) error { return nil })
		if caps.NoRetention {
			_, errs["Prune"] = s.Prune(c, at(0))
		}
		for name, err := range errs {
			wantErr(t, name, err, store.ErrUnsupported)
		}
	})
	t.Run("WriteRefusesMalformedIDs", func(t *testing.T) {
		s := newStore(t)
		err := s.Write(ctx(t), &store.Batch{Spans: []store.Span{{TraceID: "x", SpanID: spanID(1)}}})
		wantErr(t, "Write", err, store.ErrInvalid)
	})
	t.Run("AfterCloseEveryMethodReturnsErrClosed", func(t *testing.T) {
		s := newStore(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v, want nil", err)
		}
		for name, err := range callAll(t, s) {
			wantErr(t, name, err, store.ErrClosed)
		}
	})
}

// sorted orders a batch's records by id, so batches read back in any order
// compare equal.
func sorted(b *store.Batch) *store.Batch {
	out := &store.Batch{Spans: slices.Clone(b.Spans), Events: slices.Clone(b.Events),
		Metrics: slices.Clone(b.Metrics), Logs: slices.Clone(b.Logs)}
	slices.SortFunc(out.Spans, func(x, y store.Span) int { return cmp.Compare(x.SpanID, y.SpanID) })
	slices.SortFunc(out.Events, func(x, y store.Event) int { return cmp.Compare(x.EventID, y.EventID) })
	slices.SortFunc(out.Metrics, func(x, y store.Metric) int { return cmp.Compare(x.MetricID, y.MetricID) })
	slices.SortFunc(out.Logs, func(x, y store.LogRecord) int { return cmp.Compare(x.LogID, y.LogID) })
	return out
}
