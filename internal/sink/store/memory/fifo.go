package memory

import "time"

// fifo remembers write order for eviction, and lets listings walk the
// records from the newest written back. Pruned records stay queued until
// popped or compacted; the seq in each item tells a stale item (its record
// was deleted, perhaps written again since) from a live one.
type fifo struct {
	items []fifoItem
	head  int
}

type fifoItem struct {
	id  string
	seq uint64
	// bound is the latest time (Unix ns) any record queued up to this one
	// had when it was queued. A record's listing time never moves later
	// (a trace's start only moves earlier as spans arrive), so no record at
	// or before this item lists as newer. Dropping items leaves it an
	// upper bound still.
	bound int64
}

func (f *fifo) push(id string, seq uint64, at time.Time) {
	bound := at.UnixNano()
	if n := len(f.items); n > f.head {
		bound = max(bound, f.items[n-1].bound)
	}
	f.items = append(f.items, fifoItem{id: id, seq: seq, bound: bound})
}

// newest visits the queued items from the newest written back, while
// visit returns true.
func (f *fifo) newest(visit func(it *fifoItem) bool) {
	for i := len(f.items) - 1; i >= f.head; i-- {
		if !visit(&f.items[i]) {
			return
		}
	}
}

// pop returns the oldest item; callers pop only while records remain, so
// the queue is never empty then.
func (f *fifo) pop() fifoItem {
	it := f.items[f.head]
	f.items[f.head] = fifoItem{}
	f.head++
	if f.head > 1024 && f.head*2 > len(f.items) {
		f.items = append([]fifoItem(nil), f.items[f.head:]...)
		f.head = 0
	}
	return it
}

// compact drops stale items, so that pruning without eviction does not let
// the queue grow without bound.
func (f *fifo) compact(live func(fifoItem) bool) {
	kept := f.items[:0]
	for _, it := range f.items[f.head:] {
		if live(it) {
			kept = append(kept, it)
		}
	}
	clear(f.items[len(kept):])
	f.items, f.head = kept, 0
}
