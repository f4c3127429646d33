package memory

import (
	"hash/maphash"
	"sync"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Spans live in chunks: one per written request or batch of records. A
// chunk of an encoded request keeps the request's bytes and decodes them
// once, when a query first needs more than the spans' heads; most spans of a
// write-heavy sink are evicted without ever being decoded. The index of a
// chunk's spans (spanRef) holds no pointers, so the garbage collector never
// scans it: with pointers, scanning it was most of the collector's work.

// spanPos names a span: its chunk and its index there. Chunk 0 is none.
type spanPos struct{ chunk, i uint32 }

func (p spanPos) valid() bool { return p.chunk != 0 }

// spanRef is a stored span's head and its place in its trace's list.
type spanRef struct {
	next     spanPos
	id       uint64
	start    int64  // Unix nanoseconds
	nameHash uint64 // rules spans out of a name filter without decoding them
}

// chunk holds the spans of one write.
type chunk struct {
	data  []byte // the encoded request, until decoded; nil for records
	once  sync.Once
	spans []store.Span // the records, written or decoded
	refs  []spanRef
	live  int // spans still listed in a trace; the chunk goes at zero
}

// decoded returns the chunk's records, decoding the request on first use;
// nil if it cannot be decoded, which TracesEncoded's checks rule out.
func (c *chunk) decoded() []store.Span {
	c.once.Do(func() {
		if c.data == nil {
			return
		}
		if b, err := otlpwire.DecodeTraces(c.data, otlpwire.KeepAll); err == nil {
			c.spans = b.Spans
		}
		c.data = nil
	})
	return c.spans
}

// chunks is the table of live chunks, indexed by spanPos.chunk.
type chunks struct {
	all  []*chunk // all[0] is never used
	free []uint32
	seed maphash.Seed
}

func newChunks() chunks { return chunks{all: []*chunk{nil}, seed: maphash.MakeSeed()} }

func (cs *chunks) add(c *chunk) uint32 {
	if n := len(cs.free); n > 0 {
		id := cs.free[n-1]
		cs.free = cs.free[:n-1]
		cs.all[id] = c
		return id
	}
	cs.all = append(cs.all, c)
	return uint32(len(cs.all) - 1)
}

func (cs *chunks) ref(p spanPos) *spanRef { return &cs.all[p.chunk].refs[p.i] }

// span returns a span's record; nil when its chunk could not be decoded.
func (cs *chunks) span(p spanPos) *store.Span {
	spans := cs.all[p.chunk].decoded()
	if int(p.i) >= len(spans) {
		return nil
	}
	return &spans[p.i]
}

// release drops a span from its chunk, and the chunk once it is empty.
func (cs *chunks) release(p spanPos) {
	c := cs.all[p.chunk]
	if c.live--; c.live <= 0 {
		cs.all[p.chunk] = nil
		cs.free = append(cs.free, p.chunk)
	}
}

func (cs *chunks) nameHash(name []byte) uint64   { return maphash.Bytes(cs.seed, name) }
func (cs *chunks) nameHashOf(name string) uint64 { return maphash.String(cs.seed, name) }

// spanList is a trace's spans in write order, linked through their refs.
// Spans are keyed by their id within their trace (a W3C span id is unique
// there), which a set speeds up once a trace is large.
type spanList struct {
	first, last spanPos
	n           int
	ids         map[uint64]struct{}
}

// bigTrace is where a trace's span ids get a set instead of a scan.
const bigTrace = 32

func (cs *chunks) has(l *spanList, id uint64) bool {
	if l.ids != nil {
		_, ok := l.ids[id]
		return ok
	}
	for p := l.first; p.valid(); p = cs.ref(p).next {
		if cs.ref(p).id == id {
			return true
		}
	}
	return false
}

func (cs *chunks) push(l *spanList, p spanPos) {
	if l.last.valid() {
		cs.ref(l.last).next = p
	} else {
		l.first = p
	}
	l.last = p
	l.n++
	cs.all[p.chunk].live++
	switch {
	case l.ids != nil:
		l.ids[cs.ref(p).id] = struct{}{}
	case l.n > bigTrace:
		l.ids = make(map[uint64]struct{}, 2*l.n)
		for x := l.first; x.valid(); x = cs.ref(x).next {
			l.ids[cs.ref(x).id] = struct{}{}
		}
	}
}

// each calls fn with every span of the list, in write order.
func (cs *chunks) each(l *spanList, fn func(p spanPos, r *spanRef)) {
	for p := l.first; p.valid(); {
		r := cs.ref(p)
		next := r.next
		fn(p, r)
		p = next
	}
}

// records returns copies of the list's records, in write order.
func (cs *chunks) records(l *spanList) []store.Span {
	out := make([]store.Span, 0, l.n)
	cs.each(l, func(p spanPos, _ *spanRef) {
		if sp := cs.span(p); sp != nil {
			out = append(out, *sp)
		}
	})
	return out
}
