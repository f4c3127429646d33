package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
)

// The load: loadWorkers senders, each sending a request every
// requestInterval, of tracesPerRequest traces of spansPerTrace spans. It is
// paced, so that every trace it gets acknowledged can be looked up again
// within the test's time.
const (
	loadWorkers      = 4
	requestInterval  = 20 * time.Millisecond
	requestTimeout   = 5 * time.Second
	tracesPerRequest = 3
	spansPerTrace    = 4
)

// period is what the load saw between two faults: the trace ids of the
// requests whose Export returned nil, and how many requests failed.
type period struct {
	acked  []string
	failed int
}

// load sends OTLP/gRPC export requests until stopped and keeps a ledger of
// the trace ids of every request the sink acknowledged, by period.
type load struct {
	client coltracepb.TraceServiceClient
	traces atomic.Uint64 // the last trace number given out
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	periods []period
}

// startLoad connects to addr and starts the senders; the connection comes
// back within a fraction of a second of the sink listening again.
func startLoad(t *testing.T, addr string) *load {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{MinConnectTimeout: time.Second,
			Backoff: backoff.Config{BaseDelay: 20 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 200 * time.Millisecond}}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{client: coltracepb.NewTraceServiceClient(conn), cancel: cancel, periods: make([]period, 1)}
	t.Cleanup(func() { l.stop(); _ = conn.Close() })
	for range loadWorkers {
		l.wg.Go(func() { l.send(ctx) })
	}
	return l
}

// send exports a request every requestInterval until ctx ends.
func (l *load) send(ctx context.Context) {
	tick := time.NewTicker(requestInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, ids := l.request()
		l.mu.Lock()
		p := len(l.periods) - 1
		l.mu.Unlock()
		rctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		_, err := l.client.Export(rctx, req)
		cancel()
		l.record(p, ids, err)
	}
}

// record enters a request's outcome in period p, the one it was sent in:
// only a nil error is an acknowledgement.
func (l *load) record(p int, ids []string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.periods[p].failed++
		return
	}
	l.periods[p].acked = append(l.periods[p].acked, ids...)
}

// request holds tracesPerRequest traces no other request has, each a root
// span and its children, and returns their ids in hex.
func (l *load) request() (*coltracepb.ExportTraceServiceRequest, []string) {
	now := uint64(time.Now().UnixNano())
	spans := make([]*tracepb.Span, 0, tracesPerRequest*spansPerTrace)
	ids := make([]string, 0, tracesPerRequest)
	for range tracesPerRequest {
		n := l.traces.Add(1)
		traceID := binary.BigEndian.AppendUint64(make([]byte, 8), n)
		ids = append(ids, hex.EncodeToString(traceID))
		var root []byte
		for k := range uint64(spansPerTrace) {
			spanID := binary.BigEndian.AppendUint64(nil, n*spansPerTrace+k)
			spans = append(spans, &tracepb.Span{TraceId: traceID, SpanId: spanID, ParentSpanId: root,
				Name: "op", StartTimeUnixNano: now, EndTimeUnixNano: now + 1000})
			if root == nil {
				root = spanID
			}
		}
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}}}}}, ids
}

// nextPeriod starts a new period: call it once a fault has happened, so
// that what the sink acknowledged before it is counted apart.
func (l *load) nextPeriod() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.periods = append(l.periods, period{})
}

// waitAcked polls until the current period has an acknowledged request, so
// that a fault strikes a sink under load.
func (l *load) waitAcked(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		p := l.periods[len(l.periods)-1]
		l.mu.Unlock()
		if len(p.acked) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no export request acknowledged within 60s")
}

// stop stops the senders, waits for the requests in flight, and returns
// the ledger.
func (l *load) stop() []period {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.periods
}
