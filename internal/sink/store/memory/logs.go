package memory

import (
	"context"
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

type logEntry struct {
	seq uint64
	log store.LogRecord
}

// addLog stores a log record unless one with its id is stored already.
func (s *Store) addLog(l store.LogRecord) {
	if _, ok := s.logs[l.LogID]; ok {
		return
	}
	e := &logEntry{seq: s.nextSeq(), log: l}
	s.logs[l.LogID] = e
	s.logOrder.push(l.LogID, e.seq, l.Time())
}

// evictLogs drops the records written longest ago past the limit.
func (s *Store) evictLogs() {
	for len(s.logs) > s.limits.MaxLogs {
		it := s.logOrder.pop()
		if e, ok := s.logs[it.id]; ok && e.seq == it.seq {
			delete(s.logs, it.id)
		}
	}
}

// QueryLogs walks the records from the newest written back, as QueryEvents
// does.
func (s *Store) QueryLogs(ctx context.Context, q store.LogQuery) ([]store.LogRecord, error) {
	if err := store.ValidateQueryTraceID(q.TraceID); err != nil {
		return nil, err
	}
	if err := s.readable(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := newCollector(q.Limit, len(s.logs), func(a, b *store.LogRecord) int {
		return newestFirst(a.Time(), b.Time(), a.LogID, b.LogID)
	})
	s.logOrder.newest(func(it *fifoItem) bool {
		if last := c.last(); last != nil && last.Time().UnixNano() > it.bound {
			return false
		}
		e := s.logs[it.id]
		if e != nil && e.seq == it.seq && logMatches(&e.log, &q) {
			c.add(&e.log)
		}
		return true
	})
	return c.result(), nil
}

func logMatches(l *store.LogRecord, q *store.LogQuery) bool {
	if (q.TraceID != "" && l.TraceID != q.TraceID) || (q.SpanID != "" && l.SpanID != q.SpanID) ||
		l.SeverityNumber < q.MinSeverity || !q.Time.Contains(l.Time()) {
		return false
	}
	if q.Service != "" {
		if name, ok := store.AttributeText(l.Resource[store.AttrServiceName]); !ok || name != q.Service {
			return false
		}
	}
	if q.Body != "" && !strings.Contains(store.BodyText(l.Body), q.Body) {
		return false
	}
	return q.Attributes.Matches(l.Attributes, l.Resource)
}
