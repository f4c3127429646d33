package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Prune deletes what the contract says and compacts the eviction queues.
func (s *Store) Prune(ctx context.Context, before time.Time) (store.PruneResult, error) {
	var r store.PruneResult
	if err := ctx.Err(); err != nil {
		return r, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return r, fmt.Errorf("memory: %w", store.ErrClosed)
	}
	for id, e := range s.traces {
		if e.trace.EndTime.Before(before) {
			r.Traces++
			r.Spans += int64(e.spans.n)
			s.deleteTrace(id, e)
		}
	}
	for id, e := range s.events {
		if e.event.Timestamp.Before(before) {
			r.Events++
			delete(s.events, id)
		}
	}
	for id, m := range s.metrics {
		if m.metric.Timestamp.Before(before) {
			r.Metrics++
			delete(s.metrics, id)
		}
	}
	for id, l := range s.logs {
		if l.log.Time().Before(before) {
			r.Logs++
			delete(s.logs, id)
		}
	}
	s.compact()
	return r, nil
}

func (s *Store) compact() {
	s.traceOrder.compact(func(it fifoItem) bool {
		e, ok := s.traces[it.id]
		return ok && e.seq == it.seq
	})
	s.eventOrder.compact(func(it fifoItem) bool {
		e, ok := s.events[it.id]
		return ok && e.seq == it.seq
	})
	s.metricOrder.compact(func(it fifoItem) bool {
		m, ok := s.metrics[it.id]
		return ok && m.seq == it.seq
	})
	s.logOrder.compact(func(it fifoItem) bool {
		l, ok := s.logs[it.id]
		return ok && l.seq == it.seq
	})
	for name, ser := range s.series {
		ser.keep(func(e *metricEntry) bool { return s.metrics[e.metric.MetricID] == e })
		if ser.len() == 0 {
			delete(s.series, name)
		}
	}
}

// ReadAll copies every record under the read lock, then calls fn without
// holding it, so fn may use this store.
func (s *Store) ReadAll(ctx context.Context, batchSize int, fn func(*store.Batch) error) error {
	if batchSize <= 0 {
		return fmt.Errorf("%w: batch size %d", store.ErrInvalid, batchSize)
	}
	if err := s.readable(ctx); err != nil {
		return err
	}
	var all store.Batch
	for _, e := range s.traces {
		all.Spans = append(all.Spans, s.chunks.records(&e.spans)...)
	}
	for _, e := range s.events {
		all.Events = append(all.Events, e.event)
	}
	for _, m := range s.metrics {
		all.Metrics = append(all.Metrics, m.metric)
	}
	for _, l := range s.logs {
		all.Logs = append(all.Logs, l.log)
	}
	s.mu.RUnlock()
	return inBatches(ctx, &all, batchSize, fn)
}

// inBatches calls fn with consecutive slices of all, at most size records each.
func inBatches(ctx context.Context, all *store.Batch, size int, fn func(*store.Batch) error) error {
	for all.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		var b store.Batch
		room := size
		b.Spans, all.Spans, room = take(all.Spans, room)
		b.Events, all.Events, room = take(all.Events, room)
		b.Metrics, all.Metrics, room = take(all.Metrics, room)
		b.Logs, all.Logs, _ = take(all.Logs, room)
		if err := fn(&b); err != nil {
			return err
		}
	}
	return nil
}

func take[T any](rows []T, room int) (head, rest []T, left int) {
	n := min(len(rows), room)
	return rows[:n:n], rows[n:], room - n
}
