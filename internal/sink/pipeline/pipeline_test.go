package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// flakyStore is the real memory store with writes that fail on demand:
// the fault to inject, not a stand-in for the store.
type flakyStore struct {
	*memory.Store
	failing atomic.Bool
	writes  atomic.Int64
}

func (s *flakyStore) Write(ctx context.Context, b *store.Batch) error {
	s.writes.Add(1)
	if s.failing.Load() {
		return errors.New("store down")
	}
	return s.Store.Write(ctx, b)
}

func (s *flakyStore) set(failing bool) { s.failing.Store(failing) }

func (s *flakyStore) stored() int {
	rows, err := s.QueryMetrics(context.Background(), store.MetricQuery{Limit: store.MaxLimit})
	if err != nil {
		panic(err)
	}
	return len(rows)
}

func newPipeline(t *testing.T, opt pipeline.Options) (*pipeline.Pipeline, *flakyStore) {
	t.Helper()
	st := newFlaky()
	return newPipelineOver(t, st, opt), st
}

func newFlaky() *flakyStore { return &flakyStore{Store: memory.New(config.Memory{})} }

func newPipelineOver(t *testing.T, st store.Store, opt pipeline.Options) *pipeline.Pipeline {
	t.Helper()
	p := pipeline.New(st, opt, sinkmetrics.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

var seq int

func points(n int) *store.Batch {
	b := &store.Batch{}
	for range n {
		seq++
		b.Metrics = append(b.Metrics, store.Metric{MetricID: fmt.Sprintf("%032x", seq), Name: "x", AggregationType: store.AggregationGauge})
	}
	return b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFlushesWhenTheBufferReachesItsSize(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 3, Interval: time.Hour, MaxQueue: 100})
	for range 3 {
		if err := p.Enqueue(points(1)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "3 stored records without waiting for the interval", func() bool { return st.stored() == 3 })
}

func TestFlushesAPartialBufferAfterTheInterval(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1000, Interval: 10 * time.Millisecond, MaxQueue: 2000})
	if err := p.Enqueue(points(1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the partial batch", func() bool { return st.stored() == 1 })
}

func TestAFullQueueRefusesAndEveryAcceptedRecordIsStoredAfterRecovery(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 5, Interval: time.Millisecond, MaxQueue: 20})
	st.set(true)
	accepted := 0
	var err error
	for err == nil {
		if err = p.Enqueue(points(5)); err == nil {
			accepted += 5
		}
	}
	if !errors.Is(err, pipeline.ErrFull) || accepted != 20 {
		t.Fatalf("after accepting %d records got %v, want ErrFull after 20", accepted, err)
	}
	st.set(false)
	waitFor(t, "the queue to drain", func() bool { return p.Len() == 0 })
	if got := st.stored(); got != accepted {
		t.Fatalf("stored %d records, acknowledged %d", got, accepted)
	}
	if err := p.Enqueue(points(5)); err != nil {
		t.Fatalf("after recovery Enqueue = %v", err)
	}
}

func TestShutdownStoresEverythingAndThenRefuses(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1000, Interval: time.Hour, MaxQueue: 100000})
	for range 100 {
		if err := p.Enqueue(points(7)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := st.stored(); got != 700 {
		t.Fatalf("stored %d of 700 records", got)
	}
	if err := p.Enqueue(points(1)); !errors.Is(err, pipeline.ErrStopped) {
		t.Fatalf("Enqueue after Shutdown = %v, want ErrStopped", err)
	}
}

func TestShutdownGivesUpWhenItsContextEndsAndSaysSo(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1, Interval: time.Hour, MaxQueue: 100})
	st.set(true)
	if err := p.Enqueue(points(2)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waitFor(t, "a failed write", func() bool { return st.writes.Load() > 0 })
	cancel()
	if err := p.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want an error wrapping context.Canceled", err)
	}
}

// Requests of every kind of record gathered into one batch all reach the
// store: log records once went missing when they joined a batch that held
// other records.
func TestEveryKindOfRecordJoinsTheBatch(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1000, Interval: time.Hour, MaxQueue: 2000})
	logs := &store.Batch{Logs: []store.LogRecord{{LogID: fmt.Sprintf("%032x", 1), Body: "a"}, {LogID: fmt.Sprintf("%032x", 2), Body: "b"}}}
	events := &store.Batch{Events: []store.Event{{EventID: fmt.Sprintf("%032x", 3), Type: "log", Name: "e"}}}
	for _, b := range []*store.Batch{points(2), logs, events, points(1)} {
		if err := p.Enqueue(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	gotLogs, _ := st.QueryLogs(context.Background(), store.LogQuery{})
	gotEvents, _ := st.QueryEvents(context.Background(), store.EventQuery{})
	if st.stored() != 3 || len(gotLogs) != 2 || len(gotEvents) != 1 {
		t.Fatalf("stored %d points, %d logs, %d events; want 3, 2, 1", st.stored(), len(gotLogs), len(gotEvents))
	}
}
