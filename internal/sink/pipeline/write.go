package pipeline

import (
	"errors"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// write stores one batch and tells the requests waiting for it. A batch
// the store refuses as invalid is split until the records at fault are
// found (see storeSplitting).
func (p *Pipeline) write(pb *pending) {
	rejected, err := p.storeSplitting(view{b: pb.batch})
	for _, w := range pb.waiters {
		w.finish(rejected, err)
	}
	p.mu.Lock()
	p.queued -= pb.batch.Len()
	p.busy--
	p.metrics.QueueLength.Set(float64(p.queued))
	p.mu.Unlock()
}

// storeSplitting writes v, retrying what can be retried. When the store
// refuses it as invalid, it writes the parts of v (each signal apart, then
// halves) on their own, down to single records, so that one bad record
// never takes its neighbours down with it; it returns the records refused.
// The error is ErrStopped when Shutdown ran out of time first.
func (p *Pipeline) storeSplitting(v view) ([]rejection, error) {
	err := p.writeRetrying(&v.b)
	switch {
	case err == nil:
		p.count(&v.b, p.storedCounter())
		return nil, nil
	case errors.Is(err, errGaveUp):
		p.count(&v.b, p.droppedCounter(sinkmetrics.ReasonShutdown))
		return nil, ErrStopped
	}
	parts := v.parts()
	if len(parts) == 0 {
		p.log.Error("store refused a record; dropping it", "error", err)
		p.count(&v.b, p.droppedCounter(sinkmetrics.ReasonRejected))
		return []rejection{v.single(err)}, nil
	}
	var rejected []rejection
	for i, part := range parts {
		r, err := p.storeSplitting(part)
		rejected = append(rejected, r...)
		if err != nil { // Shutdown gave up: the parts left are not written.
			for _, rest := range parts[i+1:] {
				p.count(&rest.b, p.droppedCounter(sinkmetrics.ReasonShutdown))
			}
			return rejected, err
		}
	}
	return rejected, nil
}

// errGaveUp is writeRetrying's error when Shutdown ran out of time.
var errGaveUp = errors.New("gave up writing: the pipeline stopped")

// writeRetrying writes b, retrying with exponential backoff: stores are
// idempotent by record id, so writing the same batch again is safe. It
// gives up only on an error retrying cannot fix (store.ErrInvalid), or
// when Shutdown runs out of time (errGaveUp).
func (p *Pipeline) writeRetrying(b *store.Batch) error {
	backoff := minBackoff
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := p.store.Write(p.ctx, b)
		if err == nil {
			p.metrics.FlushLatency.Observe(time.Since(start).Seconds())
			return nil
		}
		p.metrics.WriteErrors.Inc()
		if errors.Is(err, store.ErrInvalid) {
			p.log.Warn("store refused a batch as invalid; writing its parts apart", "records", b.Len(), "error", err)
			return err
		}
		p.log.Warn("store write failed; retrying", "records", b.Len(), "attempt", attempt, "backoff", backoff, "error", err)
		select {
		case <-time.After(backoff):
		case <-p.ctx.Done():
			return errGaveUp
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// count adds written or dropped records to a per-signal counter.
func (p *Pipeline) count(b *store.Batch, add func(signal string, n int)) {
	spans, events, metrics := len(b.Spans), len(b.Events), len(b.Metrics)
	for i := range b.Encoded {
		e := &b.Encoded[i]
		spans, events, metrics = spans+e.Spans, events+e.Events, metrics+e.Metrics
	}
	add(sinkmetrics.SignalSpans, spans)
	add(sinkmetrics.SignalEvents, events)
	add(sinkmetrics.SignalMetrics, metrics)
	add(sinkmetrics.SignalLogs, len(b.Logs))
}

func (p *Pipeline) storedCounter() func(string, int) {
	return func(signal string, n int) {
		p.metrics.Stored.WithLabelValues(signal).Add(float64(n))
	}
}

func (p *Pipeline) droppedCounter(reason string) func(string, int) {
	return func(signal string, n int) {
		p.metrics.Dropped.WithLabelValues(signal, reason).Add(float64(n))
	}
}
