package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
)

// errRetryable marks OTLP's "try again later" answers.
var errRetryable = errors.New("retryable")

// attempt is what became of one request: acknowledged or not, after how
// many refusals, how long from its first send to its acknowledgement, and
// the last error when it was not acknowledged.
type attempt struct {
	acked   bool
	refused uint64
	latency time.Duration
	err     error
}

func sendUntilAcked(ctx context.Context, send func(context.Context, []byte) error, body []byte) attempt {
	var a attempt
	start := time.Now()
	for {
		err := send(ctx, body)
		if err == nil {
			a.acked, a.latency = true, time.Since(start)
			return a
		}
		if !errors.Is(err, errRetryable) || over(ctx) {
			a.err = err
			return a
		}
		a.refused++
		select {
		case <-ctx.Done():
			a.err = ctx.Err()
			return a
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
