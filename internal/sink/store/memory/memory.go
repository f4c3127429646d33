// Package memory is the in-process store: bounded, concurrent and fast, and
// the reference implementation of the store contract for the others. Past
// a limit it evicts the records written longest ago (a trace counts as
// written when its first span was).
package memory

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var _ store.Store = (*Store)(nil)

// Store keeps records in maps guarded by one RWMutex: queries are scans that
// run in parallel, writes are short. It keeps the spans and attribute maps of
// written batches without copying them (a trace points at its spans in the
// batches that brought them), because the sink never changes a batch after
// Write; maps it builds itself (trace attributes) are copied on write so
// that a map handed to a reader never changes.
type Store struct {
	limits config.Memory

	mu          sync.RWMutex
	closed      bool
	seq         uint64
	traces      map[string]*traceEntry
	spanIDs     map[uint64]struct{} // stored span ids, for idempotent writes
	events      map[string]*eventEntry
	metrics     map[string]*metricEntry
	traceOrder  fifo
	eventOrder  fifo
	metricOrder fifo
}

type traceEntry struct {
	seq      uint64
	rootSeen bool
	trace    store.Trace
	spans    []*store.Span
}

type eventEntry struct {
	seq   uint64
	event store.Event
}

type metricEntry struct {
	seq    uint64
	metric store.Metric
}

// New returns an empty store bounded by limits; a zero limit takes the
// configuration's default.
func New(limits config.Memory) *Store {
	setDefault(&limits.MaxTraces, config.DefaultMaxTraces)
	setDefault(&limits.MaxEvents, config.DefaultMaxEvents)
	setDefault(&limits.MaxMetricPoints, config.DefaultMaxMetricPoints)
	return &Store{
		limits:  limits,
		traces:  map[string]*traceEntry{},
		spanIDs: map[uint64]struct{}{},
		events:  map[string]*eventEntry{},
		metrics: map[string]*metricEntry{},
	}
}

func setDefault(p *int, v int) {
	if *p <= 0 {
		*p = v
	}
}

// Capabilities reports that the memory store implements the whole contract.
func (s *Store) Capabilities() store.Capabilities { return store.Capabilities{} }

// Close drops every record.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.traces, s.spanIDs, s.events, s.metrics = nil, nil, nil, nil
	s.traceOrder, s.eventOrder, s.metricOrder = fifo{}, fifo{}, fifo{}
	return nil
}

// Write adds the batch's records that are not stored yet, then evicts the
// oldest records past the limits.
func (s *Store) Write(ctx context.Context, b *store.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.ValidateBatch(b); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	for i := range b.Spans {
		s.addSpan(&b.Spans[i])
	}
	for _, e := range b.Events {
		s.addEvent(e)
	}
	for _, m := range b.Metrics {
		s.addMetric(m)
	}
	s.evict()
	return nil
}

func (s *Store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

func (s *Store) addSpan(sp *store.Span) {
	key := spanKey(sp.SpanID)
	if _, dup := s.spanIDs[key]; dup {
		return
	}
	s.spanIDs[key] = struct{}{}
	e := s.traces[sp.TraceID]
	if e == nil {
		e = &traceEntry{seq: s.nextSeq(), trace: store.Trace{
			TraceID: sp.TraceID, StartTime: sp.StartTime, EndTime: sp.EndTime,
			Status: store.TraceCompleted,
		}}
		s.traces[sp.TraceID] = e
		s.traceOrder.push(sp.TraceID, e.seq)
	}
	e.spans = append(e.spans, sp)
	e.add(sp)
}

// spanKey is a span id as a number: 16 hex digits, which ValidateBatch
// checked, make a smaller and faster map key than the string.
func spanKey(id string) uint64 {
	k, _ := strconv.ParseUint(id, 16, 64)
	return k
}

// add folds one new span into the trace row as the Trace doc defines.
func (e *traceEntry) add(sp *store.Span) {
	t := &e.trace
	if sp.ParentSpanID == "" && !e.rootSeen {
		e.rootSeen, t.Name = true, sp.Name
	}
	if sp.StartTime.Before(t.StartTime) {
		t.StartTime = sp.StartTime
	}
	if sp.EndTime.After(t.EndTime) {
		t.EndTime = sp.EndTime
	}
	t.Duration = t.EndTime.Sub(t.StartTime).Seconds()
	if sp.Status == store.SpanStatusError {
		t.Status = store.TraceFailed
	}
	t.SpanCount++
	t.Attributes = mergeFirstWins(t.Attributes, sp.Resource)
}

// mergeFirstWins returns dst with the keys of src it lacks; it copies dst
// instead of changing it, because readers may hold dst.
func mergeFirstWins(dst, src store.Attributes) store.Attributes {
	var out store.Attributes
	for k, v := range src {
		if _, ok := dst[k]; ok {
			continue
		}
		if out == nil {
			out = maps.Clone(dst)
			if out == nil {
				out = store.Attributes{}
			}
		}
		out[k] = v
	}
	if out == nil {
		return dst
	}
	return out
}

func (s *Store) addEvent(e store.Event) {
	if _, dup := s.events[e.EventID]; dup {
		return
	}
	seq := s.nextSeq()
	s.events[e.EventID] = &eventEntry{seq: seq, event: e}
	s.eventOrder.push(e.EventID, seq)
}

func (s *Store) addMetric(m store.Metric) {
	if _, dup := s.metrics[m.MetricID]; dup {
		return
	}
	seq := s.nextSeq()
	s.metrics[m.MetricID] = &metricEntry{seq: seq, metric: m}
	s.metricOrder.push(m.MetricID, seq)
}

// evict removes the oldest records, in write order, past each limit.
func (s *Store) evict() {
	for len(s.traces) > s.limits.MaxTraces {
		it := s.traceOrder.pop()
		if e, ok := s.traces[it.id]; ok && e.seq == it.seq {
			s.deleteTrace(it.id, e)
		}
	}
	for len(s.events) > s.limits.MaxEvents {
		it := s.eventOrder.pop()
		if e, ok := s.events[it.id]; ok && e.seq == it.seq {
			delete(s.events, it.id)
		}
	}
	for len(s.metrics) > s.limits.MaxMetricPoints {
		it := s.metricOrder.pop()
		if m, ok := s.metrics[it.id]; ok && m.seq == it.seq {
			delete(s.metrics, it.id)
		}
	}
}

func (s *Store) deleteTrace(id string, e *traceEntry) {
	for _, sp := range e.spans {
		delete(s.spanIDs, spanKey(sp.SpanID))
	}
	delete(s.traces, id)
}

// readable takes the read lock, or fails when the store is closed; the
// caller unlocks when err is nil.
func (s *Store) readable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("memory: %w", store.ErrClosed)
	}
	return nil
}
