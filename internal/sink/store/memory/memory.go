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
	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
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
	traceOrder  fifo
	eventOrder  fifo
	metricOrder fifo
	names       names
}

type traceEntry struct {
	seq      uint64
	rootSeen bool
	trace    store.Trace
	spans    spanList
	lastRes  store.Attributes // the resource merged last, to skip merging it again
}

// spanList is a trace's spans in write order: a list through the spans
// themselves, because the spans of an encoded request are allocated
// together and growing a slice per trace was a tenth of ingest. Spans are
// keyed by their id within their trace (a W3C span id is unique there),
// which a set speeds up once a trace is large.
type spanList struct {
	first, last *spanRef
	n           int
	ids         map[uint64]struct{}
}

// bigTrace is where a trace's span ids get a set instead of a scan.
const bigTrace = 32

func (l *spanList) has(id uint64) bool {
	if l.ids != nil {
		_, ok := l.ids[id]
		return ok
	}
	for r := l.first; r != nil; r = r.next {
		if r.id == id {
			return true
		}
	}
	return false
}

func (l *spanList) push(r *spanRef) {
	if l.last == nil {
		l.first = r
	} else {
		l.last.next = r
	}
	l.last = r
	l.n++
	switch {
	case l.ids != nil:
		l.ids[r.id] = struct{}{}
	case l.n > bigTrace:
		l.ids = make(map[uint64]struct{}, 2*l.n)
		for x := l.first; x != nil; x = x.next {
			l.ids[x.id] = struct{}{}
		}
	}
}

// spanRef is one stored span: a record written as such, or a span of an
// encoded request (store.Encoded), which stays encoded until a query needs
// more than its head: its id, start time and name.
type spanRef struct {
	rec   *store.Span
	c     *encChunk
	i     int32 // the span's index in its chunk, in request order
	id    uint64
	start int64
	name  string
	next  *spanRef
}

// span returns the record, decoding the span's chunk on first use; nil if
// the chunk cannot be decoded, which TracesEncoded's checks rule out.
func (r *spanRef) span() *store.Span {
	if r.rec != nil {
		return r.rec
	}
	spans := r.c.decoded()
	if int(r.i) >= len(spans) {
		return nil
	}
	return &spans[r.i]
}

// encChunk is an encoded trace request as written. Its spans are decoded once,
// when a query first needs them; most spans of a write-heavy sink are
// evicted without ever being decoded.
type encChunk struct {
	data  []byte
	once  sync.Once
	spans []store.Span
}

func (c *encChunk) decoded() []store.Span {
	c.once.Do(func() {
		if b, err := convert.DecodeTraces(c.data); err == nil {
			c.spans = b.Spans
		}
		c.data = nil
	})
	return c.spans
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
	s.traces, s.events, s.metrics, s.spanCount = nil, nil, nil, 0
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
	s.evict()
	return nil
}

func (s *Store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

func (s *Store) addSpan(sp *store.Span) {
	key := spanKey(sp.SpanID)
	e := s.traces[sp.TraceID]
	if e != nil && e.spans.has(key) {
		return
	}
	if e == nil {
		e = s.trace(sp.TraceID, sp.StartTime, sp.EndTime)
	}
	e.spans.push(&spanRef{rec: sp, id: key})
	s.spanCount++
	e.add(sp.ParentSpanID == "", sp.Name, sp.StartTime, sp.EndTime,
		sp.Status == store.SpanStatusError, sp.Resource)
}

// trace returns the entry of a trace id, creating it with these times.
func (s *Store) trace(id string, start, end time.Time) *traceEntry {
	e := s.traces[id]
	if e == nil {
		e = &traceEntry{seq: s.nextSeq(), trace: store.Trace{
			TraceID: id, StartTime: start, EndTime: end, Status: store.TraceCompleted,
		}}
		s.traces[id] = e
		s.traceOrder.push(id, e.seq)
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
		b, err := convert.DecodeTraces(enc.Data)
		if err != nil {
			return fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
		for i := range b.Spans {
			s.addSpan(&b.Spans[i])
		}
		for _, e := range b.Events {
			s.addEvent(e)
		}
		return nil
	}
	c := &encChunk{data: enc.Data}
	heads, resources := enc.Heads, enc.Resources
	if len(heads) != enc.Spans {
		heads, resources = convert.SpanHeads(enc.Data)
	}
	refs := make([]spanRef, len(heads)) // one allocation for the request's spans
	var hexID [32]byte
	for i := range heads {
		h := &heads[i]
		hex.Encode(hexID[:], h.TraceID[:])
		e := s.traces[string(hexID[:])]
		if e != nil && e.spans.has(h.SpanID) {
			continue
		}
		start, end := time.Unix(0, h.Start).UTC(), time.Unix(0, h.End).UTC()
		if e == nil {
			e = s.trace(string(hexID[:]), start, end)
		}
		ref := &refs[i]
		*ref = spanRef{c: c, i: int32(i), id: h.SpanID, start: h.Start, name: s.names.str(h.Name)}
		e.spans.push(ref)
		s.spanCount++
		var res store.Attributes
		if h.Resource >= 0 && h.Resource < len(resources) {
			res = resources[h.Resource]
		}
		e.add(!h.HasParent, ref.name, start, end, h.Failed, res)
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
func (e *traceEntry) add(root bool, name string, start, end time.Time, failed bool, res store.Attributes) {
	t := &e.trace
	if root && !e.rootSeen {
		e.rootSeen, t.Name = true, name
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
	s.spanCount -= e.spans.n
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

// names shares span names between the spans that bear them; bounded, it
// starts over when full, as names are usually few.
type names map[string]string

const maxNames = 4096

func (n *names) str(b []byte) string {
	if s, ok := (*n)[string(b)]; ok {
		return s
	}
	s := string(b)
	if *n == nil || len(*n) >= maxNames {
		*n = names{}
	}
	(*n)[s] = s
	return s
}
