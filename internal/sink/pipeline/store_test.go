package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// refusingStore is the flaky memory store that refuses, as invalid, every
// batch holding a point named "poison", as a database refuses a batch for
// one row it cannot hold; the fault to inject.
type refusingStore struct {
	*flakyStore
	delay   time.Duration // each write takes at least this long, as a commit does
	mu      sync.Mutex
	batches []int // the size of every write
}

func (s *refusingStore) Write(ctx context.Context, b *store.Batch) error {
	s.mu.Lock()
	s.batches = append(s.batches, b.Len())
	s.mu.Unlock()
	time.Sleep(s.delay)
	for _, m := range b.Metrics {
		if m.Name == "poison" {
			return fmt.Errorf("%w: point %s cannot be stored", store.ErrInvalid, m.MetricID)
		}
	}
	return s.flakyStore.Write(ctx, b)
}

// A request waiting in Store is written at once, not after the interval.
func TestStoreWritesAWaitingRequestWithoutWaitingForTheInterval(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1000, Interval: time.Hour, MaxQueue: 2000})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.Store(ctx, points(3))
	if err != nil || res.Rejected != 0 {
		t.Fatalf("Store = %+v, %v", res, err)
	}
	if got := st.stored(); got != 3 {
		t.Fatalf("Store returned with %d of 3 records stored", got)
	}
}

// Requests that arrive while a batch is written join the next batch: one
// writer whose commits take 5 ms, many concurrent requests, far fewer
// writes than requests.
func TestStoreCommitsConcurrentRequestsInGroups(t *testing.T) {
	st := newFlaky()
	rs := &refusingStore{flakyStore: st, delay: 5 * time.Millisecond}
	p := newPipelineOver(t, rs, pipeline.Options{Size: 10000, Interval: time.Hour, MaxQueue: 100000})
	var wg sync.WaitGroup
	for range 200 {
		b := points(2) // points numbers records from one counter: not in the goroutines
		wg.Go(func() {
			if _, err := p.Store(context.Background(), b); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := st.stored(); got != 400 {
		t.Fatalf("stored %d of 400 records", got)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.batches) > 100 {
		t.Fatalf("%d writes for 200 requests: no request joined another's batch", len(rs.batches))
	}
	t.Logf("200 requests in %d writes", len(rs.batches))
}

// One record the store refuses never takes the other records of its batch
// down: the others are stored, and only the request that sent it is told.
func TestAStoreRefusingOneRecordLosesNoneOfTheOthers(t *testing.T) {
	st := newFlaky()
	rs := &refusingStore{flakyStore: st}
	p := newPipelineOver(t, rs, pipeline.Options{Size: 1000, Interval: time.Hour, MaxQueue: 100000})
	// Fill one batch from many requests before the writer sees it.
	st.set(true)
	go func() { _, _ = p.Store(context.Background(), points(1)) }() // held by the failing store
	waitFor(t, "the first write to fail", func() bool { return st.writes.Load() > 0 })
	type outcome struct {
		res pipeline.Result
		err error
	}
	results := make([]outcome, 40)
	var wg sync.WaitGroup
	for i := range results {
		b := points(3)
		if i == 17 {
			b.Metrics[1].Name = "poison"
		}
		wg.Go(func() {
			res, err := p.Store(context.Background(), b)
			results[i] = outcome{res, err}
		})
	}
	waitFor(t, "the requests to queue", func() bool { return p.Len() >= 121 })
	st.set(false)
	wg.Wait()
	for i, o := range results {
		want := 0
		if i == 17 {
			want = 1
		}
		if o.err != nil || o.res.Rejected != want {
			t.Errorf("request %d: %+v, %v; want %d rejected", i, o.res, o.err, want)
		}
	}
	if msg := results[17].res.Message; !strings.Contains(msg, "cannot be stored") {
		t.Errorf("the refused request is told %q, want the store's reason", msg)
	}
	if got := st.stored(); got != 121-1 {
		t.Fatalf("stored %d records, want all 121 but the refused one", got)
	}
}

// A request that cannot be stored before the pipeline stops is told so,
// with the retryable ErrStopped, never with a success.
func TestStoreSaysWhenShutdownGaveUp(t *testing.T) {
	p, st := newPipeline(t, pipeline.Options{Size: 1000, Interval: time.Hour, MaxQueue: 100})
	st.set(true)
	errc := make(chan error, 1)
	go func() {
		_, err := p.Store(context.Background(), points(2))
		errc <- err
	}()
	waitFor(t, "a failed write", func() bool { return st.writes.Load() > 0 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = p.Shutdown(ctx)
	if err := <-errc; !errors.Is(err, pipeline.ErrStopped) {
		t.Fatalf("Store = %v, want ErrStopped", err)
	}
}
