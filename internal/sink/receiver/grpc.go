package receiver

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/gzip" // Registers gzip, which OTLP exporters may use.
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
)

// GRPCServer returns a gRPC server with the OTLP trace, metrics and logs
// services. Messages above the size limit are refused by gRPC itself with
// RESOURCE_EXHAUSTED (without retry info, so exporters do not retry them);
// undecodable ones get INVALID_ARGUMENT.
func (r *Receiver) GRPCServer() *grpc.Server {
	s := grpc.NewServer(grpc.MaxRecvMsgSize(r.maxBytes), grpc.ForceServerCodecV2(rawCodec{encoding.GetCodecV2("proto")}),
		// Exporters send requests of tens to hundreds of kilobytes: read
		// them in fewer system calls (the collector's default too), and
		// serve them from a pool of goroutines whose stacks have grown
		// already rather than a new goroutine per request. gRPC starts a
		// new goroutine for a request that finds every worker busy, so the
		// pool covers a typical number of concurrent exporters, not only
		// the CPUs: with one worker per CPU, stack growth of those new
		// goroutines took 4% of the sink's CPU under eight streams.
		grpc.ReadBufferSize(512<<10), grpc.NumStreamWorkers(uint32(max(16, 2*runtime.GOMAXPROCS(0)))))
	s.RegisterService(r.serviceDesc("opentelemetry.proto.collector.trace.v1.TraceService", r.traces()), r)
	s.RegisterService(r.serviceDesc("opentelemetry.proto.collector.metrics.v1.MetricsService", r.metricsSignal()), r)
	s.RegisterService(r.serviceDesc("opentelemetry.proto.collector.logs.v1.LogsService", r.logs()), r)
	return s
}

// serviceDesc describes one OTLP service whose Export method receives the
// raw request bytes: gRPC's own decoding would report a malformed message as
// INTERNAL, where the sender's mistake is INVALID_ARGUMENT.
func (r *Receiver) serviceDesc(name string, sig signal) *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: name,
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Export",
			Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				raw := rawMessage{borrow: !r.keepsRequests}
				if err := dec(&raw); err != nil {
					return nil, err
				}
				return r.grpcExport(ctx, sig, raw.data)
			},
		}},
	}
}

func (r *Receiver) grpcExport(ctx context.Context, sig signal, raw []byte) (any, error) {
	c, err := sig.decode(raw)
	if err != nil {
		r.metrics.RejectedRequests.WithLabelValues(protocolGRPC, reasonMalformed).Inc()
		return nil, status.Error(codes.InvalidArgument, fmt.Sprintf("cannot decode the OTLP request: %v", err))
	}
	resp, err := r.accept(ctx, sig, c)
	if err == nil {
		return resp, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, status.FromContextError(ctxErr).Err()
	}
	return nil, r.grpcRefusal(err)
}

// grpcRefusal maps a pipeline refusal to OTLP's retryable gRPC errors: a
// full queue is RESOURCE_EXHAUSTED and shutting down UNAVAILABLE, both with
// a RetryInfo detail that tells the exporter when to try again.
func (r *Receiver) grpcRefusal(err error) error {
	r.metrics.RejectedRequests.WithLabelValues(protocolGRPC, refusalReason(err)).Inc()
	code := codes.Unavailable
	if errors.Is(err, pipeline.ErrFull) {
		code = codes.ResourceExhausted
	}
	st, detailErr := status.New(code, err.Error()).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(r.retryAfter)})
	if detailErr != nil {
		return status.Error(code, err.Error())
	}
	return st.Err()
}

// rawMessage is a request left undecoded by gRPC.
type rawMessage struct {
	data []byte
	// borrow takes a request that arrived in one piece (one HTTP/2 frame,
	// up to 16 KiB) as it is, instead of copying it into a buffer of its
	// own. The copy was 5-8% of the sink's CPU under gRPC load. The
	// borrowed buffer comes from gRPC's pool, whose size tiers can leave it
	// three times the request, so stores that keep requests for long do
	// not borrow.
	borrow bool
}

// rawCodec hands requests over as bytes and encodes responses with the
// protobuf codec.
type rawCodec struct{ proto encoding.CodecV2 }

func (c rawCodec) Marshal(v any) (mem.BufferSlice, error) { return c.proto.Marshal(v) }

func (c rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if raw, ok := v.(*rawMessage); ok {
		if raw.borrow && len(data) == 1 {
			// gRPC frees its reference once this returns; the one taken
			// here is never freed, so the buffer goes to the garbage
			// collector when the request is done with instead of back to
			// the pool, and nothing reuses it while the request lives.
			data[0].Ref()
			raw.data = data[0].ReadOnlyData()
			return nil
		}
		raw.data = data.Materialize()
		return nil
	}
	return c.proto.Unmarshal(data, v)
}

func (c rawCodec) Name() string { return c.proto.Name() }
