package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
)

// Options say where and how hard to send.
type Options struct {
	// GRPCAddr (host:port) or HTTPURL (http://host:port) of the receiver.
	GRPCAddr string
	HTTPURL  string
	// Workers send concurrently, each waiting for its answer.
	Workers int
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
	Issued    uint64   // request numbers handed out: FirstRequest .. FirstRequest+Issued-1
	Unacked   []uint64 // numbers among them that were not acknowledged
	Acked     uint64   // requests answered with success
	Refused   uint64   // retryable refusals (retried)
	Failed    uint64   // other errors (not retried)
	Elapsed   time.Duration
	LastError error
}

// Next returns the body of the n-th request.
type Next func(n uint64, buf []byte) []byte

// Run sends requests made by next until the count or the time is reached.
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
	var res Result
	var seq atomic.Uint64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < max(o.Workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for !over(ctx) {
				i := seq.Add(1) - 1
				if o.Requests > 0 && i >= o.Requests {
					return
				}
				buf = next(o.FirstRequest+i, buf)
				acked, refused, err := sendUntilAcked(ctx, send, buf)
				mu.Lock()
				res.Issued = max(res.Issued, i+1)
				res.Refused += refused
				if acked {
					res.Acked++
				} else {
					res.Unacked = append(res.Unacked, o.FirstRequest+i)
					if err != nil && !over(ctx) {
						res.Failed++
						res.LastError = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res, nil
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

// errRetryable marks OTLP's "try again later" answers.
var errRetryable = errors.New("retryable")

func sendUntilAcked(ctx context.Context, send func(context.Context, []byte) error, body []byte) (bool, uint64, error) {
	var refused uint64
	for {
		err := send(ctx, body)
		if err == nil {
			return true, refused, nil
		}
		if !errors.Is(err, errRetryable) || over(ctx) {
			return false, refused, err
		}
		refused++
		select {
		case <-ctx.Done():
			return false, refused, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func sender(o Options, path string) (func(context.Context, []byte) error, func(), error) {
	if o.GRPCAddr != "" {
		return grpcSender(o.GRPCAddr, path)
	}
	if o.HTTPURL != "" {
		return httpSender(o.HTTPURL, path)
	}
	return nil, nil, errors.New("loadgen: set GRPCAddr or HTTPURL")
}

// rawCodec sends pre-encoded bytes as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append((*(v.(*[]byte)))[:0], data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

// gRPC methods of the OTLP services, by HTTP path.
var grpcMethods = map[string]string{
	"/v1/traces":  "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
	"/v1/metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
	"/v1/logs":    "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}

func grpcSender(addr, path string) (func(context.Context, []byte) error, func(), error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		return nil, nil, err
	}
	method := grpcMethods[path]
	send := func(ctx context.Context, body []byte) error {
		var reply []byte
		err := conn.Invoke(ctx, method, body, &reply)
		if c := status.Code(err); c == codes.Unavailable || c == codes.ResourceExhausted {
			return fmt.Errorf("%w: %v", errRetryable, err)
		}
		return err
	}
	return send, func() { _ = conn.Close() }, nil
}

func httpSender(base, path string) (func(context.Context, []byte) error, func(), error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send := func(ctx context.Context, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-protobuf")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return nil
		case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
			return fmt.Errorf("%w: HTTP %d", errRetryable, resp.StatusCode)
		default:
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
	}
	return send, client.CloseIdleConnections, nil
}
