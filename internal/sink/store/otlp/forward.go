package otlp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // Registers the proto codec the forwarder wraps.
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Traces are forwarded as the encoded requests the sink received (after
// its policy), concatenated, instead of through the OpenTelemetry SDK's
// trace exporter: that exporter takes decoded spans and encodes them again,
// which was about half of the otlp store's CPU. The forwarder speaks the
// same two OTLP transports, with the configured headers, TLS and timeout,
// and retries as the OTLP specification says an exporter should.

const (
	traceExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	// maxForwardBytes bounds one export: receivers commonly refuse
	// messages above 4 MiB (gRPC's default), so larger batches go out in
	// several exports, split between requests.
	maxForwardBytes = 3 << 20
)

// forwarder sends one encoded ExportTraceServiceRequest, given in parts
// (requests whose concatenation is one), without copying them together.
type forwarder interface {
	send(ctx context.Context, req [][]byte) error
	close() error
}

// forwardTraces sends the batch's encoded trace requests and its trace
// records, in exports of at most maxForwardBytes (a larger request goes
// alone), each retried within the store's timeout.
func (s *Store) forwardTraces(ctx context.Context, b *store.Batch) error {
	var parts [][]byte
	for i := range b.Encoded {
		e := &b.Encoded[i]
		if e.Signal != store.SignalTraces {
			return fmt.Errorf("%w: the otlp store forwards encoded trace requests only, not signal %d", store.ErrInvalid, e.Signal)
		}
		if len(e.Data) > 0 {
			parts = append(parts, e.Data)
		}
	}
	if len(b.Spans) > 0 {
		data, err := otlpwire.EncodeSpans(b.Spans)
		if err != nil {
			return fmt.Errorf("%w: encoding spans: %v", store.ErrInvalid, err)
		}
		parts = append(parts, data)
	}
	for len(parts) > 0 {
		n, size := 1, len(parts[0])
		for n < len(parts) && size+len(parts[n]) <= maxForwardBytes {
			size += len(parts[n])
			n++
		}
		req := parts[:n]
		if err := s.withRetry(ctx, func(ctx context.Context) error { return s.fwd.send(ctx, req) }); err != nil {
			return err
		}
		parts = parts[n:]
	}
	return nil
}

// retryable is an export failure worth retrying, after at least delay when
// the receiver said so.
type retryable struct {
	err   error
	delay time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// withRetry runs send until it succeeds, fails for good, or the store's
// timeout ends, backing off exponentially or as the receiver asks.
func (s *Store) withRetry(ctx context.Context, send func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	backoff := retryInitial
	for {
		err := send(ctx)
		var r *retryable
		if err == nil || !errors.As(err, &r) {
			return err
		}
		wait := max(backoff, r.delay)
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return r.err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return r.err
		}
		backoff = min(2*backoff, retryMax)
	}
}

// permanent marks a refusal of the data itself, which no retry can change:
// the pipeline counts the batch as dropped instead of retrying it forever.
// Refusals that a fix of the configuration can end (authentication, a
// wrong path) are left to the pipeline's retries, so nothing is lost while
// the operator fixes them.
func permanent(err error) error {
	return fmt.Errorf("%w: the endpoint refused the data: %v", store.ErrInvalid, err)
}

// partialSuccess logs what a receiver said it rejected of an accepted
// export; it took the rest, so retrying would duplicate that.
func partialSuccess(resp *coltracepb.ExportTraceServiceResponse) {
	if ps := resp.GetPartialSuccess(); ps.GetRejectedSpans() > 0 || ps.GetErrorMessage() != "" {
		slog.Warn("the otlp endpoint rejected part of an export", "rejectedSpans", ps.GetRejectedSpans(), "message", ps.GetErrorMessage())
	}
}

// grpcForwarder exports over OTLP/gRPC with a codec that sends the bytes
// as they are.
type grpcForwarder struct {
	conn *grpc.ClientConn
	md   metadata.MD
}

func newGRPCForwarder(t target, opt Options) (*grpcForwarder, error) {
	creds := insecure.NewCredentials()
	if !t.insecure {
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(t.host, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(passCodec{encoding.GetCodecV2("proto")})))
	if err != nil {
		return nil, err
	}
	md := metadata.MD{}
	for k, v := range opt.Headers {
		md.Set(k, v)
	}
	return &grpcForwarder{conn: conn, md: md}, nil
}

func (f *grpcForwarder) send(ctx context.Context, req [][]byte) error {
	resp := &coltracepb.ExportTraceServiceResponse{}
	err := f.conn.Invoke(metadata.NewOutgoingContext(ctx, f.md), traceExportMethod, encodedRequest(req), resp)
	if err == nil {
		partialSuccess(resp)
		return nil
	}
	st := status.Convert(err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		return &retryable{err: err, delay: delay}
	case codes.ResourceExhausted:
		if delay > 0 { // Retryable only when the receiver says when.
			return &retryable{err: err, delay: delay}
		}
		return err
	case codes.InvalidArgument:
		return permanent(err)
	}
	return err
}

func (f *grpcForwarder) close() error { return f.conn.Close() }

// encodedRequest is a request already in its protobuf encoding, in parts
// that gRPC writes one after the other.
type encodedRequest [][]byte

// passCodec sends encodedRequest as it is and handles every other message
// with the proto codec.
type passCodec struct{ proto encoding.CodecV2 }

func (c passCodec) Marshal(v any) (mem.BufferSlice, error) {
	if parts, ok := v.(encodedRequest); ok {
		out := make(mem.BufferSlice, len(parts))
		for i, p := range parts {
			out[i] = mem.SliceBuffer(p)
		}
		return out, nil
	}
	return c.proto.Marshal(v)
}

func (c passCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.proto.Unmarshal(data, v) }

func (c passCodec) Name() string { return c.proto.Name() }

// httpForwarder exports over OTLP/HTTP with protobuf bodies.
type httpForwarder struct {
	client  *http.Client
	url     string
	headers map[string]string
}

func newHTTPForwarder(t target, opt Options) *httpForwarder {
	scheme := schemeHTTPS
	if t.insecure {
		scheme = schemeHTTP
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &httpForwarder{client: &http.Client{Transport: tr}, url: scheme + "://" + t.host + t.path + "/v1/traces", headers: opt.Headers}
}

func (f *httpForwarder) send(ctx context.Context, parts [][]byte) error {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, http.NoBody)
	if err != nil {
		return err
	}
	req.ContentLength = int64(size)
	req.GetBody = func() (io.ReadCloser, error) {
		bufs := net.Buffers(slices.Clone(parts))
		return io.NopCloser(&bufs), nil
	}
	req.Body, _ = req.GetBody()
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range f.headers {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return &retryable{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		out := &coltracepb.ExportTraceServiceResponse{}
		if proto.Unmarshal(data, out) == nil {
			partialSuccess(out)
		}
		return nil
	}
	err = fmt.Errorf("%s answered %s: %s", f.url, resp.Status, bytes.TrimSpace(data[:min(len(data), 512)]))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		delay := time.Duration(0)
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
			delay = time.Duration(secs) * time.Second
		}
		return &retryable{err: err, delay: delay}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return permanent(err)
	}
	return err
}

func (f *httpForwarder) close() error {
	f.client.CloseIdleConnections()
	return nil
}
