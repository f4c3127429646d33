// Package receiver accepts OTLP over gRPC and HTTP (protobuf or JSON, gzip or
// not), converts each request and hands it to the pipeline. It answers with
// OTLP's retryable errors when the pipeline refuses, and with a clear
// permanent error for input it cannot read.
package receiver

import (
	"errors"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Reasons a request is refused, as counted in sink_rejected_requests_total.
const (
	reasonMalformed   = "malformed"
	reasonTooLarge    = "too_large"
	reasonMediaType   = "unsupported_media_type"
	reasonQueueFull   = "queue_full"
	reasonStopping    = "stopping"
	protocolGRPC      = "grpc"
	protocolHTTP      = "http"
	defaultRetryAfter = time.Second
)

// Queue is where accepted batches go; *pipeline.Pipeline is one.
type Queue interface {
	Enqueue(b *store.Batch) error
}

// Receiver serves the three OTLP services over gRPC and HTTP.
type Receiver struct {
	conv          *convert.Converter
	queue         Queue
	metrics       *sinkmetrics.Metrics
	maxBytes      int
	retryAfter    time.Duration
	keepsRequests bool
}

// Options configure a Receiver.
type Options struct {
	// MaxMessageBytes caps one request, after decompression.
	MaxMessageBytes int
	// RetryAfter is the delay the sink asks a refused sender to wait
	// (default 1s).
	RetryAfter time.Duration
	// KeepsRequests says the store keeps the bytes of the requests it is
	// given for long (the memory store's encoded spans), so each request
	// must sit in a buffer of its own size.
	KeepsRequests bool
}

// New returns a receiver that converts with conv and enqueues into q.
func New(conv *convert.Converter, q Queue, m *sinkmetrics.Metrics, opt Options) *Receiver {
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = defaultRetryAfter
	}
	return &Receiver{conv: conv, queue: q, metrics: m, maxBytes: opt.MaxMessageBytes, retryAfter: opt.RetryAfter,
		keepsRequests: opt.KeepsRequests}
}

// signal describes one OTLP service: how to make its request and response
// messages and how to convert a request, decoded or encoded.
type signal struct {
	newRequest func() proto.Message
	response   proto.Message
	convert    func(proto.Message) *store.Batch
	// decode converts a protobuf-encoded request; its errors are
	// proto.Unmarshal's.
	decode func([]byte) (*store.Batch, error)
	// encoded: decode keeps requests encoded, so a JSON request is
	// re-encoded as protobuf and given to decode rather than to convert.
	encoded bool
}

// unmarshalThen is the decode of signals without a faster path.
func (s signal) unmarshalThen() func([]byte) (*store.Batch, error) {
	return func(raw []byte) (*store.Batch, error) {
		msg := s.newRequest()
		if err := proto.Unmarshal(raw, msg); err != nil {
			return nil, err
		}
		return s.convert(msg), nil
	}
}

func (r *Receiver) traces() signal {
	s := signal{
		newRequest: func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} },
		response:   &coltracepb.ExportTraceServiceResponse{},
		convert: func(m proto.Message) *store.Batch {
			return r.conv.Traces(m.(*coltracepb.ExportTraceServiceRequest))
		},
		decode: r.conv.TracesProto,
	}
	if r.conv.Encoded && r.conv.CanEncodeTraces() {
		s.decode, s.encoded = r.conv.TracesEncoded, true
	}
	return s
}

func (r *Receiver) metricsSignal() signal {
	s := signal{
		newRequest: func() proto.Message { return &colmetricspb.ExportMetricsServiceRequest{} },
		response:   &colmetricspb.ExportMetricsServiceResponse{},
		convert: func(m proto.Message) *store.Batch {
			return r.conv.Metrics(m.(*colmetricspb.ExportMetricsServiceRequest))
		},
	}
	s.decode = s.unmarshalThen()
	return s
}

func (r *Receiver) logs() signal {
	s := signal{
		newRequest: func() proto.Message { return &collogspb.ExportLogsServiceRequest{} },
		response:   &collogspb.ExportLogsServiceResponse{},
		convert: func(m proto.Message) *store.Batch {
			return r.conv.Logs(m.(*collogspb.ExportLogsServiceRequest))
		},
	}
	s.decode = s.unmarshalThen()
	return s
}

// refusalReason names a pipeline refusal for the rejected-requests counter.
func refusalReason(err error) string {
	if errors.Is(err, pipeline.ErrFull) {
		return reasonQueueFull
	}
	return reasonStopping
}
