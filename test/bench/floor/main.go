// Command floor is the least an OTLP/gRPC receiver can do, for `make
// bench-compare` to measure against: a grpc-go server with its default
// options whose TraceService/Export counts the spans of each request by
// walking the protobuf wire format, keeps nothing and answers with an empty
// response. The collector and the sink are both grpc-go servers; what this
// one spends per span under a load is what any of them pays before doing
// anything with the spans.
//
// It serves its counts in the Prometheus text format on -metrics, at
// /metrics: floor_accepted_spans and floor_refused_requests (requests that
// are not an ExportTraceServiceRequest).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

func main() {
	grpcAddr := flag.String("grpc", "127.0.0.1:4317", "OTLP/gRPC listen address")
	metricsAddr := flag.String("metrics", "127.0.0.1:8888", "listen address of /metrics")
	flag.Parse()
	if err := run(*grpcAddr, *metricsAddr); err != nil {
		log.Fatal(err)
	}
}

func run(grpcAddr, metricsAddr string) error {
	var f floor
	gl, err := net.Listen("tcp", grpcAddr)
	if err != nil {
		return err
	}
	ml, err := net.Listen("tcp", metricsAddr)
	if err != nil {
		return err
	}
	s := grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{encoding.GetCodecV2("proto")}))
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "opentelemetry.proto.collector.trace.v1.TraceService",
		HandlerType: (*any)(nil),
		Methods:     []grpc.MethodDesc{{MethodName: "Export", Handler: f.export}},
	}, &f)
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintf(w, "floor_accepted_spans %d\nfloor_refused_requests %d\n", f.spans.Load(), f.refused.Load())
	})
	hs := &http.Server{Handler: mux}
	go func() { _ = hs.Serve(ml) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); s.GracefulStop() }()
	if err := s.Serve(gl); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return hs.Close()
}

type floor struct{ spans, refused atomic.Int64 }

// export counts the request's spans; the empty response encodes to nothing.
func (f *floor) export(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	var req counted
	if err := dec(&req); err != nil {
		return nil, err
	}
	if req.err != nil {
		f.refused.Add(1)
		return nil, status.Error(codes.InvalidArgument, req.err.Error())
	}
	f.spans.Add(int64(req.spans))
	return empty{}, nil
}

// countSpans counts ExportTraceServiceRequest.resource_spans[].scope_spans[].spans.
func countSpans(b []byte) (int, error) {
	n := 0
	err := eachField(b, 1, func(rs []byte) error { // resource_spans
		return eachField(rs, 2, func(ss []byte) error { // scope_spans
			return eachField(ss, 2, func([]byte) error { n++; return nil }) // spans
		})
	})
	return n, err
}

// eachField calls fn with the bytes of every length-delimited field num of
// a message, skipping the other fields.
func eachField(b []byte, num protowire.Number, fn func([]byte) error) error {
	for len(b) > 0 {
		got, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if got == num && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			if err := fn(v); err != nil {
				return err
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(got, typ, b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		b = b[m:]
	}
	return nil
}

// counted is a request as the codec leaves it: its spans counted while
// gRPC's buffers were still the codec's to read.
type counted struct {
	spans int
	err   error
}

// empty is the response, ExportTraceServiceResponse with no field set.
type empty struct{}

// rawCodec counts a request's spans where it arrived, without a copy when
// it came in one buffer (as the sink reads one-frame requests), and encodes
// the empty response as no bytes.
type rawCodec struct{ proto encoding.CodecV2 }

func (c rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	if _, ok := v.(empty); ok {
		return nil, nil
	}
	return c.proto.Marshal(v)
}

func (c rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	req, ok := v.(*counted)
	if !ok {
		return c.proto.Unmarshal(data, v)
	}
	b := data.Materialize
	if len(data) == 1 {
		b = data[0].ReadOnlyData
	}
	req.spans, req.err = countSpans(b())
	return nil
}

func (c rawCodec) Name() string { return c.proto.Name() }
