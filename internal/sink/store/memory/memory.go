// Package memory is the in-process store: bounded, concurrent and fast, and
// the reference implementation of the store contract for the others. Past
// a limit it evicts the records written longest ago (a trace counts as
// written when its first span was).
package memory

import (
	"context"
	"encoding/hex"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
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
	spanCount   int
	events      map[string]*eventEntry
	metrics     map[string]*metricEntry
	series      map[string]*series // the points in metrics, by name
	logs        map[string]*logEntry
	traceOrder  fifo
	eventOrder  fifo
	metricOrder fifo
	logOrder    fifo
	chunks      chunks
}

type traceEntry struct {
	seq      uint64
	rootSeen bool
	trace    store.Trace
	spans    spanList
	lastRes  store.Attributes // the resource merged last, to skip merging it again
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
	setDefault(&limits.MaxLogs, config.DefaultMaxLogs)
	return &Store{
		limits:  limits,
		traces:  map[string]*traceEntry{},
		events:  map[string]*eventEntry{},
		metrics: map[string]*metricEntry{},
		series:  map[string]*series{},
		logs:    map[string]*logEntry{},
		chunks:  newChunks(),
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
	s.traces, s.events, s.metrics, s.series, s.logs, s.spanCount, s.chunks = nil, nil, nil, nil, nil, 0, newChunks()
	s.traceOrder, s.eventOrder, s.metricOrder, s.logOrder = fifo{}, fifo{}, fifo{}, fifo{}
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
	s.addRecords(b.Spans)
	for i := range b.Encoded {
		if err := s.addEncoded(&b.Encoded[i]); err != nil {
			return err
		}
	}
	for _, e := range b.Events {
		s.addEvent(e)
	}
	for _, m := range b.Metrics {
		s.addMetric(m)
	}
	for _, l := range b.Logs {
		s.addLog(l)
	}
	s.evict()
	return nil
}

func (s *Store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

// addRecords stores spans written as records, in a chunk of their own.
func (s *Store) addRecords(spans []store.Span) {
	if len(spans) == 0 {
		return
	}
	c := &chunk{spans: spans, refs: make([]spanRef, len(spans))}
	id := s.chunks.add(c)
	for i := range spans {
		sp := &spans[i]
		key := spanKey(sp.SpanID)
		e := s.traces[sp.TraceID]
		if e != nil && s.chunks.has(&e.spans, key) {
			continue
		}
		if e == nil {
			e = s.trace(sp.TraceID, sp.StartTime, sp.EndTime)
		}
		c.refs[i] = spanRef{id: key, start: sp.StartTime.UnixNano(), nameHash: s.chunks.nameHashOf(sp.Name)}
		s.chunks.push(&e.spans, spanPos{id, uint32(i)})
		s.spanCount++
		e.add(sp.ParentSpanID == "", func() string { return sp.Name }, sp.StartTime, sp.EndTime,
			sp.Status == store.SpanStatusError, sp.Resource)
	}
	if c.live == 0 {
		s.chunks.release(spanPos{chunk: id})
	}
}

// trace returns the entry of a trace id, creating it with these times.
func (s *Store) trace(id string, start, end time.Time) *traceEntry {
	e := s.traces[id]
	if e == nil {
		e = &traceEntry{seq: s.nextSeq(), trace: store.Trace{
			TraceID: id, StartTime: start, EndTime: end, Status: store.TraceCompleted,
		}}
		s.traces[id] = e
		s.traceOrder.push(id, e.seq, start)
	}
	return e
}

// ReadsSpanHeads asks the sink for the heads of encoded spans, which the
// store indexes.
func (s *Store) ReadsSpanHeads() bool { return true }

var _ store.SpanHeadReader = (*Store)(nil)

// WritesEncoded reports that Write takes encoded trace requests: the store
// indexes their spans' heads and decodes the rest only when a query needs
// it, which made ingest several times cheaper than decoding every span.
func (s *Store) WritesEncoded() bool { return true }

var _ store.EncodedWriter = (*Store)(nil)

// addEncoded stores an encoded trace request. A request with span events
// is decoded at once, because events are queried by their own fields.
func (s *Store) addEncoded(enc *store.Encoded) error {
	if enc.Signal != store.SignalTraces {
		return fmt.Errorf("%w: the memory store takes encoded trace requests only, not signal %d", store.ErrInvalid, enc.Signal)
	}
	if enc.Events > 0 {
		b, err := otlpwire.DecodeTraces(enc.Data, otlpwire.KeepAll)
		if err != nil {
			return fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
		s.addRecords(b.Spans)
		for _, e := range b.Events {
			s.addEvent(e)
		}
		return nil
	}
	heads, resources := enc.Heads, enc.Resources
	if len(heads) != enc.Spans {
		heads, resources = otlpwire.SpanHeads(enc.Data)
	}
	if len(heads) == 0 {
		return nil
	}
	c := &chunk{data: enc.Data, refs: make([]spanRef, len(heads))}
	id := s.chunks.add(c)
	var hexID [32]byte
	var last [16]byte
	var e *traceEntry
	for i := range heads {
		h := &heads[i]
		if e == nil || h.TraceID != last { // spans of a trace mostly come together
			hex.Encode(hexID[:], h.TraceID[:])
			e, last = s.traces[string(hexID[:])], h.TraceID
		}
		if e != nil && s.chunks.has(&e.spans, h.SpanID) {
			continue
		}
		start, end := time.Unix(0, h.Start).UTC(), time.Unix(0, h.End).UTC()
		if e == nil {
			e = s.trace(string(hexID[:]), start, end)
		}
		c.refs[i] = spanRef{id: h.SpanID, start: h.Start, nameHash: s.chunks.nameHash(h.Name(enc.Data))}
		s.chunks.push(&e.spans, spanPos{id, uint32(i)})
		s.spanCount++
		var res store.Attributes
		if h.Resource >= 0 && int(h.Resource) < len(resources) {
			res = resources[h.Resource]
		}
		e.add(!h.HasParent, func() string { return string(h.Name(enc.Data)) }, start, end, h.Failed, res)
	}
	if c.live == 0 {
		s.chunks.release(spanPos{chunk: id})
	}
	return nil
}

// spanKey is a span id as a number: 16 hex digits, which ValidateBatch
// checked, make a smaller and faster map key than the string.
func spanKey(id string) uint64 {
	k, _ := strconv.ParseUint(id, 16, 64)
	return k
}

// add folds one new span into the trace row as the Trace doc defines.
func (e *traceEntry) add(root bool, name func() string, start, end time.Time, failed bool, res store.Attributes) {
	t := &e.trace
	if root && !e.rootSeen {
		e.rootSeen, t.Name = true, name()
	}
	if start.Before(t.StartTime) {
		t.StartTime = start
	}
	if end.After(t.EndTime) {
		t.EndTime = end
	}
	t.Duration = t.EndTime.Sub(t.StartTime).Seconds()
	if failed {
		t.Status = store.TraceFailed
	}
	t.SpanCount++
	if res != nil && !sameMap(res, e.lastRes) {
		t.Attributes = mergeFirstWins(t.Attributes, res)
		e.lastRes = res
	}
}

// sameMap reports whether two attribute maps are the same map: the spans
// of one request share theirs, which needs merging once.
func sameMap(a, b store.Attributes) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// mergeFirstWins returns dst with the keys of src it lacks; it copies dst
// instead of changing it, because readers may hold dst.
func mergeFirstWins(dst, src store.Attributes) store.Attributes {
	if dst == nil {
		return src // shared: neither side is ever changed
	}
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
	s.eventOrder.push(e.EventID, seq, e.Timestamp)
}

func (s *Store) addMetric(m store.Metric) {
	if _, dup := s.metrics[m.MetricID]; dup {
		return
	}
	seq := s.nextSeq()
	e := &metricEntry{seq: seq, metric: m}
	s.metrics[m.MetricID] = e
	s.metricOrder.push(m.MetricID, seq, m.Timestamp)
	ser := s.series[m.Name]
	if ser == nil {
		ser = &series{}
		s.series[m.Name] = ser
	}
	ser.push(e)
}

// deleteMetric removes a point from the map and from its series.
func (s *Store) deleteMetric(id string, e *metricEntry) {
	delete(s.metrics, id)
	ser := s.series[e.metric.Name]
	ser.drop(e)
	if ser.len() == 0 {
		delete(s.series, e.metric.Name)
	}
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
			s.deleteMetric(it.id, m)
		}
	}
	s.evictLogs()
}

func (s *Store) deleteTrace(id string, e *traceEntry) {
	s.spanCount -= e.spans.n
	s.chunks.each(&e.spans, func(p spanPos, _ *spanRef) { s.chunks.release(p) })
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
