package pipeline

import (
	"errors"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// write stores one batch, retrying with exponential backoff: stores are
// idempotent by record id, so writing the same batch again is safe. It gives
// up only on an error retrying cannot fix, or when Shutdown runs out of time.
func (p *Pipeline) write(b *store.Batch) {
	backoff := minBackoff
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := p.store.Write(p.ctx, b)
		if err == nil {
			p.metrics.FlushLatency.Observe(time.Since(start).Seconds())
			p.count(b, p.storedCounter())
			return
		}
		p.metrics.WriteErrors.Inc()
		if errors.Is(err, store.ErrInvalid) {
			p.log.Error("store rejected a batch; dropping it", "records", b.Len(), "error", err)
			p.count(b, p.droppedCounter(sinkmetrics.ReasonRejected))
			return
		}
		p.log.Warn("store write failed; retrying", "records", b.Len(), "attempt", attempt, "backoff", backoff, "error", err)
		select {
		case <-time.After(backoff):
		case <-p.ctx.Done():
			p.count(b, p.droppedCounter(sinkmetrics.ReasonShutdown))
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// count adds a finished batch to a per-signal counter and takes it off the
// queue.
func (p *Pipeline) count(b *store.Batch, add func(signal string, n int)) {
	spans, events, metrics := len(b.Spans), len(b.Events), len(b.Metrics)
	for i := range b.Encoded {
		e := &b.Encoded[i]
		spans, events, metrics = spans+e.Spans, events+e.Events, metrics+e.Metrics
	}
	add(sinkmetrics.SignalSpans, spans)
	add(sinkmetrics.SignalEvents, events)
	add(sinkmetrics.SignalMetrics, metrics)
	p.mu.Lock()
	p.queued -= b.Len()
	p.metrics.QueueLength.Set(float64(p.queued))
	p.mu.Unlock()
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
