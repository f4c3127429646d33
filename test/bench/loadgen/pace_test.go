package loadgen

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// traceServer is a real OTLP/gRPC trace receiver on a local port whose
// Export answers what handle returns for the request's number.
type traceServer struct {
	collectortrace.UnimplementedTraceServiceServer
	handle func(n uint64) error
}

func (s *traceServer) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	n, err := strconv.ParseUint(req.ResourceSpans[0].ScopeSpans[0].Spans[0].Name, 10, 64)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &collectortrace.ExportTraceServiceResponse{}, s.handle(n)
}

// startTraceServer serves handle until the test ends and returns the
// server's address.
func startTraceServer(t *testing.T, handle func(n uint64) error) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(s, &traceServer{handle: handle})
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

// numbered is request n: one span named after n, for the server to read.
func numbered(n uint64, _ []byte) []byte {
	b, err := proto.Marshal(&collectortrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: strconv.FormatUint(n, 10)}}}},
	}}})
	if err != nil {
		panic(err)
	}
	return b
}

// guard bounds a wait that the code under test should end, so that a
// broken pacer fails the test instead of hanging it; it bounds nothing the
// test asserts.
const guard = 30 * time.Second

// A paced run is open-loop: request 3 goes out although request 0 is not
// answered yet (the server answers 0 only once 3 has arrived, which a
// closed loop of one request at a time could never do), and every request
// is answered once, with one latency each.
func TestPacedRunSendsWithoutWaitingForAnswers(t *testing.T) {
	var mu sync.Mutex
	var events []string
	third := make(chan struct{})
	addr := startTraceServer(t, func(n uint64) error {
		mu.Lock()
		events = append(events, "received "+strconv.FormatUint(n, 10))
		mu.Unlock()
		if n == 3 {
			close(third)
		}
		if n == 0 {
			select {
			case <-third:
			case <-time.After(guard):
				return status.Error(codes.Internal, "request 3 never came")
			}
		}
		mu.Lock()
		events = append(events, "answered "+strconv.FormatUint(n, 10))
		mu.Unlock()
		return nil
	})
	res, err := Run(context.Background(), Options{GRPCAddr: addr, Workers: 4, Rate: 1000, Requests: 6}, "/v1/traces", numbered)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 || res.Acked != 6 || res.Issued != 6 {
		t.Fatalf("acked %d of %d issued, %d failed (last %v), want all 6 acked", res.Acked, res.Issued, res.Failed, res.LastError)
	}
	if i, j := slices.Index(events, "received 3"), slices.Index(events, "answered 0"); i < 0 || j < i {
		t.Errorf("request 3 was not sent before request 0 was answered: %v", events)
	}
	if len(res.Latencies) != 6 || !slices.IsSorted(res.Latencies) {
		t.Errorf("latencies %v, want 6 in ascending order", res.Latencies)
	}
}

// Workers caps the requests in flight: the server sees two at once (it
// holds requests 0 and 1 until both have arrived) and never more, and the
// requests due while both workers were busy are counted late. At a rate of
// one request per nanosecond every request but each worker's first is due
// before a worker can be free.
func TestPacedRunCapsRequestsInFlightAtWorkers(t *testing.T) {
	var inFlight, most atomic.Int64
	var firstTwo sync.WaitGroup
	firstTwo.Add(2)
	both := make(chan struct{})
	go func() { firstTwo.Wait(); close(both) }()
	addr := startTraceServer(t, func(n uint64) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if n > 1 {
			return nil
		}
		firstTwo.Done()
		select {
		case <-both:
			return nil
		case <-time.After(guard):
			return status.Error(codes.Internal, "requests 0 and 1 were never in flight together")
		}
	})
	const workers, requests = 2, 10
	res, err := Run(context.Background(), Options{GRPCAddr: addr, Workers: workers, Rate: 1e9, Requests: requests}, "/v1/traces", numbered)
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != requests || res.Failed > 0 {
		t.Fatalf("acked %d, failed %d (last %v), want %d acked", res.Acked, res.Failed, res.LastError, requests)
	}
	if got := most.Load(); got != workers {
		t.Errorf("at most %d requests in flight, want %d (the workers)", got, workers)
	}
	if res.Late != requests-workers {
		t.Errorf("%d requests late, want %d: all but each worker's first", res.Late, requests-workers)
	}
}

// A paced run bounded by time issues no request due after its end: at 200
// requests a second for a tenth of a second, at most 21 (numbers 0-20),
// however fast the server answers; a closed loop would send thousands.
// Every number issued is acknowledged or listed as not.
func TestPacedRunStopsAtItsSchedule(t *testing.T) {
	addr := startTraceServer(t, func(uint64) error { return nil })
	res, err := Run(context.Background(), Options{GRPCAddr: addr, Workers: 4, Rate: 200, Duration: 100 * time.Millisecond},
		"/v1/traces", numbered)
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued == 0 || res.Issued > 21 {
		t.Errorf("issued %d requests, want 1 to 21", res.Issued)
	}
	if got := res.Acked + uint64(len(res.Unacked)); got != res.Issued {
		t.Errorf("acked %d + unacked %d = %d, want the %d issued", res.Acked, len(res.Unacked), got, res.Issued)
	}
}

// A request's latency runs from its first send to its acknowledgement,
// refusals and the pauses before their retries included: request 0,
// refused twice, took at least as long as the server saw it take, from its
// first arrival to its last answer, and no other took longer.
func TestLatencyIncludesRetries(t *testing.T) {
	var first, answered time.Time
	attempts := 0
	addr := startTraceServer(t, func(n uint64) error { // One worker: never called concurrently.
		if n != 0 {
			return nil
		}
		if attempts++; attempts == 1 {
			first = time.Now()
		}
		if attempts <= 2 {
			return status.Error(codes.Unavailable, "try again")
		}
		answered = time.Now()
		return nil
	})
	res, err := Run(context.Background(), Options{GRPCAddr: addr, Workers: 1, Requests: 3}, "/v1/traces", numbered)
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 3 || res.Refused != 2 || len(res.Latencies) != 3 {
		t.Fatalf("acked %d, refused %d, %d latencies; want 3, 2, 3", res.Acked, res.Refused, len(res.Latencies))
	}
	if slowest, seen := res.Latency(100), answered.Sub(first); slowest < seen {
		t.Errorf("slowest latency %s, shorter than request 0's %s from first arrival to answer", slowest, seen)
	}
	if res.Latency(100) != res.Latencies[2] || res.Latency(50) != res.Latencies[1] {
		t.Errorf("Latency(100), Latency(50) = %s, %s; want the 3rd and 2nd of %v", res.Latency(100), res.Latency(50), res.Latencies)
	}
}

// NearestRank picks the smallest sample with at least pct% at or below it.
func TestNearestRank(t *testing.T) {
	ms := func(n int) []time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			d[i] = time.Duration(i+1) * time.Millisecond
		}
		return d
	}
	for _, c := range []struct {
		n, pct int
		want   time.Duration
	}{
		{100, 50, 50 * time.Millisecond}, {100, 99, 99 * time.Millisecond}, {100, 100, 100 * time.Millisecond},
		{100, 1, time.Millisecond}, {10, 99, 10 * time.Millisecond}, {10, 50, 5 * time.Millisecond},
		{200, 99, 198 * time.Millisecond}, {1, 99, time.Millisecond}, {1, 50, time.Millisecond}, {0, 99, 0},
	} {
		if got := NearestRank(ms(c.n), c.pct); got != c.want {
			t.Errorf("NearestRank(1..%d ms, %d) = %s, want %s", c.n, c.pct, got, c.want)
		}
	}
}
