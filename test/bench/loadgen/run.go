package loadgen

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options say where and how hard to send.
type Options struct {
	// GRPCAddr (host:port) or HTTPURL (http://host:port) of the receiver.
	GRPCAddr string
	HTTPURL  string
	// Workers send concurrently, each waiting for its answer.
	Workers int
	// Rate, when above 0, paces the run: request n is due n/Rate seconds
	// after the start and is sent then, whatever the answers to earlier
	// ones (open loop), by a free worker. Workers caps the requests in
	// flight: a request due while every worker waits for an answer goes
	// out late, as soon as one is free, and is counted in Result.Late.
	// When 0, every worker sends its next request as soon as it is
	// answered (closed loop, saturation).
	Rate float64
	// Requests caps the total sent; Duration caps the time. Either may be 0.
	Requests uint64
	Duration time.Duration
	// FirstRequest numbers the first request, so that successive runs
	// send distinct ids.
	FirstRequest uint64
}

// Result counts what the receiver acknowledged and what it pushed back.
//
// A run bounded by Duration ends with requests in flight: those numbered
// in Unacked were sent (the receiver may even have stored them) but never
// acknowledged, so a reader of the receiver must not expect them, and a
// later run continues from FirstRequest+Issued, never reusing a number.
type Result struct {
	Issued  uint64   // request numbers handed out: FirstRequest .. FirstRequest+Issued-1
	Unacked []uint64 // numbers among them that were not acknowledged
	Acked   uint64   // requests answered with success
	Refused uint64   // retryable refusals (retried)
	Failed  uint64   // other errors (not retried)
	Late    uint64   // paced runs: requests sent after they were due, every worker being busy
	// Latencies holds, in ascending order, each acknowledged request's time
	// from its first send to its acknowledgement, refusals and the pauses
	// before their retries included.
	Latencies []time.Duration
	Elapsed   time.Duration
	LastError error
}

// Latency is the nearest-rank percentile pct (1-100) of the latencies, 0
// when none was measured.
func (r Result) Latency(pct int) time.Duration { return NearestRank(r.Latencies, pct) }

// Next returns the body of the n-th request.
type Next func(n uint64, buf []byte) []byte

// Run sends requests made by next until the count or the time is reached,
// each worker as fast as it is answered or, with Options.Rate, on schedule.
// A refused request (OTLP's retryable answers) is retried after a short
// pause and counted once as acknowledged when it finally succeeds.
func Run(ctx context.Context, o Options, path string, next Next) (Result, error) {
	send, closeFn, err := sender(o, path)
	if err != nil {
		return Result{}, err
	}
	defer closeFn()
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	r := &runner{o: o, send: send, next: next, start: time.Now()}
	var wg sync.WaitGroup
	for range max(o.Workers, 1) {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	r.res.Elapsed = time.Since(r.start)
	slices.Sort(r.res.Latencies)
	return r.res, nil
}

// runner is one run's shared state: the numbers handed out and the tally.
type runner struct {
	o     Options
	send  func(context.Context, []byte) error
	next  Next
	start time.Time
	seq   atomic.Uint64
	mu    sync.Mutex
	res   Result
}

// work is one worker: it takes the next request number, sends that
// request until it is acknowledged or the run ends, and tallies it.
func (r *runner) work(ctx context.Context) {
	var buf []byte
	for !over(ctx) {
		i, late, ok := r.claim(ctx)
		if !ok {
			return
		}
		buf = r.next(r.o.FirstRequest+i, buf)
		r.record(ctx, i, late, sendUntilAcked(ctx, r.send, buf))
	}
}

// claim hands out the next request number and, in a paced run, waits until
// it is due; late says it was due before this worker was free. ok is false
// when the run has no such request: past Requests, or due after the run's
// deadline (as every later one is, so the numbers sent stay contiguous).
// A number claimed is always tallied, so a wait cut short by the end of
// the run still sends (and fails) rather than leave a gap.
func (r *runner) claim(ctx context.Context) (i uint64, late, ok bool) {
	i = r.seq.Add(1) - 1
	if r.o.Requests > 0 && i >= r.o.Requests {
		return i, false, false
	}
	if r.o.Rate <= 0 {
		return i, false, true
	}
	due := r.start.Add(time.Duration(float64(i) / r.o.Rate * float64(time.Second)))
	if deadline, bounded := ctx.Deadline(); bounded && !due.Before(deadline) {
		return i, false, false
	}
	wait := time.Until(due)
	if wait < 0 {
		// Each worker's first request went out at the start, not late.
		return i, i >= uint64(max(r.o.Workers, 1)), true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	return i, false, true
}

// record tallies request i's outcome.
func (r *runner) record(ctx context.Context, i uint64, late bool, a attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &r.res
	res.Issued = max(res.Issued, i+1)
	res.Refused += a.refused
	if late {
		res.Late++
	}
	if a.acked {
		res.Acked++
		res.Latencies = append(res.Latencies, a.latency)
		return
	}
	res.Unacked = append(res.Unacked, r.o.FirstRequest+i)
	if a.err != nil && !over(ctx) {
		res.Failed++
		res.LastError = a.err
	}
}

// over reports whether ctx has ended, reading its deadline from the clock:
// on a busy CPU the timer that cancels ctx can run late, while gRPC already
// fails calls past the deadline (and the server ends them at its copy of
// it), so those failures belong to the end of the run, not to the receiver.
func over(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}
