// Package receiver accepts OTLP over gRPC and HTTP (protobuf or JSON, gzip or
// not), converts each request and hands it to the pipeline. It answers with
// OTLP's retryable errors when the pipeline refuses, and with a clear
// permanent error for input it cannot read.
package receiver

import (
	"context"
	"errors"
	"fmt"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
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
	reasonCanceled    = "canceled" // the sender stopped waiting for its records to be stored
	protocolGRPC      = "grpc"
	protocolHTTP      = "http"
	defaultRetryAfter = time.Second
)

// Queue is where accepted batches go; *pipeline.Pipeline is one. Enqueue
// returns once a batch is queued, Store once it is stored.
type Queue interface {
	Enqueue(b *store.Batch) error
	Store(ctx context.Context, b *store.Batch) (pipeline.Result, error)
}

// Receiver serves the three OTLP services over gRPC and HTTP.
type Receiver struct {
	conv          *convert.Converter
	queue         Queue
	metrics       *sinkmetrics.Metrics
	maxBytes      int
	retryAfter    time.Duration
	keepsRequests bool
	ackStored     bool
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
	// AckStored answers a request once its records are stored, rather than
	// once they are queued.
	AckStored bool
}

// New returns a receiver that converts with conv and enqueues into q.
func New(conv *convert.Converter, q Queue, m *sinkmetrics.Metrics, opt Options) *Receiver {
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = defaultRetryAfter
	}
	return &Receiver{conv: conv, queue: q, metrics: m, maxBytes: opt.MaxMessageBytes, retryAfter: opt.RetryAfter,
		keepsRequests: opt.KeepsRequests, ackStored: opt.AckStored}
}

// signal describes one OTLP service: how to make its request message, how
// to convert a request, decoded or encoded, and how to answer it.
type signal struct {
	newRequest func() proto.Message
	convert    func(proto.Message) convert.Converted
	// decode converts a protobuf-encoded request; its errors are
	// proto.Unmarshal's.
	decode func([]byte) (convert.Converted, error)
	// encoded: decode keeps requests encoded, so a JSON request is
	// re-encoded as protobuf and given to decode rather than to convert.
	encoded bool
	// response is the answer to a request of which rejected records were
	// not stored, for the reason given (OTLP's partial success).
	response func(rejected int, reason string) proto.Message
}

// unmarshalThen is the decode of signals without a faster path.
func (s signal) unmarshalThen() func([]byte) (convert.Converted, error) {
	return func(raw []byte) (convert.Converted, error) {
		msg := s.newRequest()
		if err := proto.Unmarshal(raw, msg); err != nil {
			return convert.Converted{}, err
		}
		if err := otlpwire.CheckTimes(msg); err != nil {
			return convert.Converted{}, err
		}
		return s.convert(msg), nil
	}
}

func (r *Receiver) traces() signal {
	s := signal{
		newRequest: func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} },
		convert: func(m proto.Message) convert.Converted {
			return r.conv.Traces(m.(*coltracepb.ExportTraceServiceRequest))
		},
		decode: r.conv.TracesProto,
		response: func(rejected int, reason string) proto.Message {
			if rejected == 0 {
				return &coltracepb.ExportTraceServiceResponse{}
			}
			return &coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{
				RejectedSpans: int64(rejected), ErrorMessage: reason}}
		},
	}
	if r.conv.Encoded && r.conv.CanEncodeTraces() {
		s.decode, s.encoded = r.conv.TracesEncoded, true
	}
	return s
}

func (r *Receiver) metricsSignal() signal {
	s := signal{
		newRequest: func() proto.Message { return &colmetricspb.ExportMetricsServiceRequest{} },
		convert: func(m proto.Message) convert.Converted {
			return r.conv.Metrics(m.(*colmetricspb.ExportMetricsServiceRequest))
		},
		response: func(rejected int, reason string) proto.Message {
			if rejected == 0 {
				return &colmetricspb.ExportMetricsServiceResponse{}
			}
			return &colmetricspb.ExportMetricsServiceResponse{PartialSuccess: &colmetricspb.ExportMetricsPartialSuccess{
				RejectedDataPoints: int64(rejected), ErrorMessage: reason}}
		},
	}
	s.decode = s.unmarshalThen()
	return s
}

func (r *Receiver) logs() signal {
	s := signal{
		newRequest: func() proto.Message { return &collogspb.ExportLogsServiceRequest{} },
		convert: func(m proto.Message) convert.Converted {
			return r.conv.Logs(m.(*collogspb.ExportLogsServiceRequest))
		},
		response: func(rejected int, reason string) proto.Message {
			if rejected == 0 {
				return &collogspb.ExportLogsServiceResponse{}
			}
			return &collogspb.ExportLogsServiceResponse{PartialSuccess: &collogspb.ExportLogsPartialSuccess{
				RejectedLogRecords: int64(rejected), ErrorMessage: reason}}
		},
	}
	s.decode = s.unmarshalThen()
	return s
}

// accept hands a converted request to the queue and returns the answer
// owed to the sender: at once, or once the records are stored, as the
// receiver acknowledges. Records refused at conversion and by the store
// are both counted as rejected.
func (r *Receiver) accept(ctx context.Context, sig signal, c convert.Converted) (proto.Message, error) {
	rejected, reason := c.Invalid, c.Reason
	if !r.ackStored {
		if err := r.queue.Enqueue(c.Batch); err != nil {
			return nil, err
		}
		return sig.response(rejected, reason), nil
	}
	res, err := r.queue.Store(ctx, c.Batch)
	if err != nil {
		return nil, err
	}
	if res.Rejected > 0 {
		rejected += res.Rejected
		reason = joinReasons(reason, fmt.Sprintf("%d records refused by the store: %s", res.Rejected, res.Message))
	}
	return sig.response(rejected, reason), nil
}

func joinReasons(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// refusalReason names a pipeline refusal for the rejected-requests counter.
func refusalReason(err error) string {
	switch {
	case errors.Is(err, pipeline.ErrFull):
		return reasonQueueFull
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return reasonCanceled
	}
	return reasonStopping
}
