package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// QueryTraces walks the traces from the newest written back and stops once
// no trace written earlier can list before the page it holds (see
// fifoItem.bound): traces mostly arrive in start order, so a page of the
// newest reads about a page of traces instead of every one (59 ms at 250k
// traces before).
func (s *Store) QueryTraces(ctx context.Context, q store.TraceQuery) ([]store.Trace, error) {
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := newCollector(q.Limit, len(s.traces), func(a, b *store.Trace) int {
		return newestFirst(a.StartTime, b.StartTime, a.TraceID, b.TraceID)
	})
	s.traceOrder.newest(func(it *fifoItem) bool {
		if last := c.last(); last != nil && last.StartTime.UnixNano() > it.bound {
			return false
		}
		e := s.traces[it.id]
		if e == nil || e.seq != it.seq {
			return true
		}
		t := &e.trace
		if (q.Status == "" || t.Status == q.Status) && (q.Name == "" || t.Name == q.Name) &&
			q.Time.Contains(t.StartTime) && q.Attributes.Matches(t.Attributes, nil) {
			c.add(t)
		}
		return true
	})
	return c.result(), nil
}

// GetTrace returns a copy of the trace's spans, oldest first.
func (s *Store) GetTrace(ctx context.Context, traceID string) (*store.TraceDetail, error) {
	if !store.ValidTraceID(traceID) {
		return nil, fmt.Errorf("%w: trace id %q is not 32 lowercase hex digits", store.ErrInvalid, traceID)
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	e, ok := s.traces[traceID]
	if !ok {
		return nil, fmt.Errorf("trace %s: %w", traceID, store.ErrNotFound)
	}
	spans := s.chunks.records(&e.spans)
	slices.SortFunc(spans, func(a, b store.Span) int {
		return cmp.Or(a.StartTime.Compare(b.StartTime), cmp.Compare(a.SpanID, b.SpanID))
	})
	return &store.TraceDetail{Trace: e.trace, Spans: spans}, nil
}

// QuerySpans scans one trace when the query names it, else every span.
func (s *Store) QuerySpans(ctx context.Context, q store.SpanQuery) ([]store.Span, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := newCollector(q.Limit, s.spanCount, func(a, b *store.Span) int {
		return newestFirst(a.StartTime, b.StartTime, a.SpanID, b.SpanID)
	})
	nameHash := s.chunks.nameHashOf(q.Name)
	match := func(e *traceEntry) {
		s.chunks.each(&e.spans, func(p spanPos, ref *spanRef) {
			if (q.Name != "" && ref.nameHash != nameHash) || !q.Time.Contains(time.Unix(0, ref.start)) {
				return // ruled out by its head, without decoding it
			}
			sp := s.chunks.span(p)
			if sp != nil && (q.Name == "" || sp.Name == q.Name) && q.Time.Contains(sp.StartTime) &&
				q.Attributes.Matches(sp.Attributes, sp.Resource) {
				c.add(sp)
			}
		})
	}
	if q.TraceID != "" {
		if e, ok := s.traces[q.TraceID]; ok {
			match(e)
		}
	} else {
		for _, e := range s.traces {
			match(e)
		}
	}
	return c.result(), nil
}

// QueryEvents walks the events from the newest written back, as
// QueryTraces does.
func (s *Store) QueryEvents(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := newCollector(q.Limit, len(s.events), func(a, b *store.Event) int {
		return newestFirst(a.Timestamp, b.Timestamp, a.EventID, b.EventID)
	})
	s.eventOrder.newest(func(it *fifoItem) bool {
		if last := c.last(); last != nil && last.Timestamp.UnixNano() > it.bound {
			return false
		}
		en := s.events[it.id]
		if en == nil || en.seq != it.seq {
			return true
		}
		e := &en.event
		if (q.TraceID == "" || e.TraceID == q.TraceID) && (q.Type == "" || e.Type == q.Type) &&
			(q.Name == "" || e.Name == q.Name) && q.Time.Contains(e.Timestamp) {
			c.add(e)
		}
		return true
	})
	return c.result(), nil
}

// QueryMetrics walks the points from the newest written back, as
// QueryTraces does.
func (s *Store) QueryMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := newCollector(q.Limit, len(s.metrics), func(a, b *store.Metric) int {
		return newestFirst(a.Timestamp, b.Timestamp, a.MetricID, b.MetricID)
	})
	s.metricOrder.newest(func(it *fifoItem) bool {
		if last := c.last(); last != nil && last.Timestamp.UnixNano() > it.bound {
			return false
		}
		en := s.metrics[it.id]
		if en == nil || en.seq != it.seq {
			return true
		}
		m := &en.metric
		if (q.Name == "" || m.Name == q.Name) && q.Time.Contains(m.Timestamp) &&
			q.Attributes.Matches(m.Attributes, m.Resource) {
			c.add(m)
		}
		return true
	})
	return c.result(), nil
}

// newestFirst orders by time descending, then id ascending.
func newestFirst(ta, tb time.Time, ida, idb string) int {
	return cmp.Or(tb.Compare(ta), cmp.Compare(ida, idb))
}
