package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// parallelStore is the flaky memory store asking for several writers; it
// records how many writes ran at once. With several writers, the first
// write waits for a second one to start (or gives up after a while, and the
// test then fails), which proves the writes overlap.
type parallelStore struct {
	*flakyStore
	writers int
	overlap chan struct{}
	once    sync.Once

	mu               sync.Mutex
	running, maxSeen int
}

func (s *parallelStore) WriteParallelism() int { return s.writers }

func (s *parallelStore) Write(ctx context.Context, b *store.Batch) error {
	s.mu.Lock()
	s.running++
	s.maxSeen = max(s.maxSeen, s.running)
	if s.running >= 2 {
		s.once.Do(func() { close(s.overlap) })
	}
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.running--; s.mu.Unlock() }()
	if s.writers > 1 {
		select {
		case <-s.overlap:
		case <-time.After(10 * time.Second):
		}
	}
	return s.flakyStore.Write(ctx, b)
}

func TestParallelWritersStoreEverythingThroughFailuresAndShutdown(t *testing.T) {
	for _, writers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d writers", writers), func(t *testing.T) {
			st := &parallelStore{flakyStore: &flakyStore{Store: memory.New(config.Memory{})}, writers: writers,
				overlap: make(chan struct{})}
			p := pipeline.New(st, pipeline.Options{Size: 10, Interval: time.Hour, MaxQueue: 100000},
				sinkmetrics.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			st.set(true)
			for range 50 {
				if err := p.Enqueue(points(10)); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "failed writes", func() bool { return st.writes.Load() >= int64(writers) })
			st.set(false)
			for range 50 {
				if err := p.Enqueue(points(10)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := st.stored(); got != 1000 {
				t.Errorf("stored %d of 1000 records", got)
			}
			if want := min(writers, 2); st.maxSeen < want || st.maxSeen > writers {
				t.Errorf("%d writes ran at once, want %d to %d", st.maxSeen, want, writers)
			}
			if err := p.Enqueue(points(1)); !errors.Is(err, pipeline.ErrStopped) {
				t.Errorf("Enqueue after Shutdown = %v, want ErrStopped", err)
			}
		})
	}
}
