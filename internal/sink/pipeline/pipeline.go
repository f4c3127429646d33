// Package pipeline is the sink's buffer between the receivers and the store:
// it batches records (flushing at a size or an interval, whichever comes
// first), bounds how many wait, and retries failed store writes until they
// succeed, so that a request the receivers acknowledged is never lost.
//
// A request is acknowledged in one of two ways. Enqueue returns once the
// records are queued: what a crash of the process still loses. Store
// returns once they are written (group commit: requests that arrive while
// a batch is being written join the next one, which is written as soon as
// a writer is free), so an acknowledgement is a promise the store keeps.
// A batch the store refuses as invalid is split until the records at
// fault are found; the others are stored and only the requests that held
// a refused record are told.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Errors of Enqueue and Store. Both are retryable: the receivers turn them
// into OTLP's retryable responses so that the sender tries again later.
var (
	// ErrFull means the queue holds MaxQueue records already.
	ErrFull = errors.New("the sink's queue is full; retry later")
	// ErrStopped means the sink is shutting down.
	ErrStopped = errors.New("the sink is shutting down; retry with another replica or later")
)

// Backoff bounds between retries of a failed store write.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Options size the pipeline; they come from the sink configuration's buffer.
type Options struct {
	// Size is the number of records that triggers a flush.
	Size int
	// Interval flushes whatever is buffered at least this often.
	Interval time.Duration
	// MaxQueue bounds the records accepted but not yet stored.
	MaxQueue int
}

// ParallelWriter is implemented by stores whose writes overlap well, such
// as a database server that commits one transaction while it receives the
// next; the pipeline then runs that many writers. Other stores get one.
type ParallelWriter interface {
	WriteParallelism() int
}

// Pipeline batches records and writes them to a store with one writer, or
// with as many as a ParallelWriter store asks for.
type Pipeline struct {
	store   store.Store
	opt     Options
	metrics *sinkmetrics.Metrics
	log     *slog.Logger

	mu     sync.Mutex
	cur    pending
	ready  []*pending
	queued int
	closed bool
	// busy counts the writers writing; a batch that waiting requests
	// started is cut early only while fewer than early are (see next).
	busy, early int

	wake   chan struct{}
	done   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
}

// pending is a batch being gathered or waiting for a writer, with the
// requests that wait for it to be stored.
type pending struct {
	batch   store.Batch
	waiters []*waiter
}

// New starts a pipeline writing to st.
func New(st store.Store, opt Options, m *sinkmetrics.Metrics, log *slog.Logger) *Pipeline {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pipeline{
		store: st, opt: opt, metrics: m, log: log,
		wake: make(chan struct{}, 1), done: make(chan struct{}), ctx: ctx, cancel: cancel,
	}
	writers := 1
	if pw, ok := st.(ParallelWriter); ok {
		writers = max(1, pw.WriteParallelism())
	}
	p.early = max(1, writers/2)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(p.run)
	}
	go func() { wg.Wait(); close(p.done) }()
	return p
}

// Enqueue accepts a batch, or refuses all of it with ErrFull or ErrStopped.
// Once it returns nil, the pipeline owns the batch and will store it unless
// the process dies first or Shutdown runs out of time.
func (p *Pipeline) Enqueue(b *store.Batch) error {
	_, err := p.add(b, false)
	return err
}

// Store accepts a batch as Enqueue does and waits until the store has it:
// on nil, every record is stored but those the Result counts as rejected.
// It returns ErrFull or ErrStopped when the batch is refused or cannot be
// stored before the pipeline stops, and ctx's error when the caller stops
// waiting (the records are still stored).
func (p *Pipeline) Store(ctx context.Context, b *store.Batch) (Result, error) {
	w, err := p.add(b, true)
	if err != nil || w == nil {
		return Result{}, err
	}
	select {
	case <-w.done:
		return w.result, w.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// add queues b, with a waiter when one is asked for and b is not empty.
// A batch larger than MaxQueue is accepted when the queue is empty, so that
// no request is refused forever.
func (p *Pipeline) add(b *store.Batch, wait bool) (*waiter, error) {
	n := b.Len()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return nil, ErrStopped
	case n == 0:
		return nil, nil
	case p.queued > 0 && p.queued+n > p.opt.MaxQueue:
		return nil, ErrFull
	}
	var w *waiter
	if wait {
		w = newWaiter(&p.cur.batch, b)
		p.cur.waiters = append(p.cur.waiters, w)
	}
	p.append(b)
	p.queued += n
	p.metrics.QueueLength.Set(float64(p.queued))
	if p.cur.batch.Len() >= p.opt.Size {
		p.cutLocked()
	} else if wait {
		p.signal() // A waiting request is written as soon as a writer is free.
	}
	return w, nil
}

// append adds b's records to the batch being gathered.
func (p *Pipeline) append(b *store.Batch) {
	cur := &p.cur.batch
	if cur.Len() == 0 {
		// The pipeline owns b now: taking it whole saves copying every
		// record of a request that fills a flush by itself.
		*cur = *b
		return
	}
	cur.Spans = appendRecords(cur.Spans, b.Spans, p.opt.Size)
	cur.Events = appendRecords(cur.Events, b.Events, p.opt.Size)
	cur.Metrics = appendRecords(cur.Metrics, b.Metrics, p.opt.Size)
	cur.Logs = appendRecords(cur.Logs, b.Logs, p.opt.Size)
	cur.Encoded = append(cur.Encoded, b.Encoded...)
}

// appendRecords appends src to dst, making room for a whole flush at once
// when dst is full: growing by doubling copied every record about twice.
func appendRecords[T any](dst, src []T, size int) []T {
	if len(src) > cap(dst)-len(dst) {
		dst = slices.Grow(dst, max(size, len(dst)+len(src))-len(dst))
	}
	return append(dst, src...)
}

// Len is the number of records accepted and not yet stored.
func (p *Pipeline) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queued
}

// Shutdown refuses new records, then writes every queued one. When ctx ends
// first, it stops retrying, counts what is left as dropped and says so.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.cutLocked()
	p.mu.Unlock()
	p.signal()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		left := p.Len()
		p.cancel()
		<-p.done
		return fmt.Errorf("shutdown timed out with %d records not stored: %w", left, ctx.Err())
	}
}

// cutLocked moves the buffered records into a batch ready to write.
func (p *Pipeline) cutLocked() {
	if p.cur.batch.Len() == 0 {
		return
	}
	b := p.cur
	p.ready = append(p.ready, &b)
	p.cur = pending{}
	p.signal()
}

// signal wakes a writer without blocking; one pending wake-up is enough.
func (p *Pipeline) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next pops a batch to write, cutting the one being gathered when a request
// waits for it; more is false once the pipeline is closed and empty. It
// passes the wake-up on while batches remain, for other writers.
//
// A batch that waiting requests started is cut before it is full only
// while fewer than half the writers are busy: the others take full
// batches. Cutting for every free writer made batches a quarter of the
// size with four writers, and the per-batch work cost PostgreSQL 15% more
// CPU per span than acknowledging once queued; half keeps a request from
// waiting for a whole batch's commit behind every other writer.
func (p *Pipeline) next() (b *pending, more bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ready) == 0 && len(p.cur.waiters) > 0 && p.busy < p.early {
		p.cutLocked()
	}
	if len(p.ready) > 0 {
		b, p.ready = p.ready[0], p.ready[1:]
		p.busy++
		if len(p.ready) > 0 || (len(p.cur.waiters) > 0 && p.busy < p.early) {
			p.signal()
		}
		return b, true
	}
	if p.closed {
		p.signal() // Wake the other writers so that they see it too.
	}
	return nil, !p.closed
}

// run is one writer's loop.
func (p *Pipeline) run() {
	tick := time.NewTicker(p.opt.Interval)
	defer tick.Stop()
	for {
		b, more := p.next()
		switch {
		case b != nil:
			p.write(b)
		case !more:
			return
		default:
			select {
			case <-p.wake:
			case <-tick.C:
				p.mu.Lock()
				p.cutLocked()
				p.mu.Unlock()
			}
		}
	}
}
