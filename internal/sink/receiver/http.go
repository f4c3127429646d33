package receiver

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/pipeline"
)

// OTLP/HTTP content types.
const (
	contentProtobuf = "application/x-protobuf"
	contentJSON     = "application/json"
)

// The JSON decoder ignores unknown fields, as the OTLP specification
// requires of receivers, so newer SDKs keep working.
var jsonDecoder = protojson.UnmarshalOptions{DiscardUnknown: true}

// HTTPHandler serves OTLP/HTTP on /v1/traces, /v1/metrics and /v1/logs.
func (r *Receiver) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/traces", r.httpSignal(r.traces()))
	mux.Handle("/v1/metrics", r.httpSignal(r.metricsSignal()))
	mux.Handle("/v1/logs", r.httpSignal(r.logs()))
	return mux
}

// httpError is a refusal with its HTTP status and reason.
type httpError struct {
	status int
	reason string
	err    error
}

func (r *Receiver) httpSignal(sig signal) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "OTLP/HTTP accepts only POST", http.StatusMethodNotAllowed)
			return
		}
		contentType, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		c, herr := r.decode(req, contentType, sig)
		var resp proto.Message
		if herr == nil {
			resp, herr = r.httpAccept(w, req, sig, c)
		}
		if herr != nil {
			r.metrics.RejectedRequests.WithLabelValues(protocolHTTP, herr.reason).Inc()
			writeStatus(w, contentType, herr)
			return
		}
		writeMessage(w, contentType, http.StatusOK, resp)
	}
}

// decode reads, decompresses, unmarshals and converts the request body
// within the size limit.
func (r *Receiver) decode(req *http.Request, contentType string, sig signal) (convert.Converted, *httpError) {
	if contentType != contentProtobuf && contentType != contentJSON {
		return convert.Converted{}, &httpError{http.StatusUnsupportedMediaType, reasonMediaType,
			fmt.Errorf("content type %q is not OTLP; use %s or %s", contentType, contentProtobuf, contentJSON)}
	}
	body, herr := r.readBody(req)
	if herr != nil {
		return convert.Converted{}, herr
	}
	var b convert.Converted
	var err error
	if contentType == contentJSON {
		msg := sig.newRequest()
		if err = jsonDecoder.Unmarshal(body, msg); err == nil {
			err = hexIDs(msg)
		}
		if err == nil {
			err = otlpwire.CheckTimes(msg)
		}
		switch {
		case err == nil && sig.encoded:
			if body, err = proto.Marshal(msg); err == nil {
				b, err = sig.decode(body)
			}
		case err == nil:
			b = sig.convert(msg)
		}
	} else {
		b, err = sig.decode(body)
	}
	if err != nil {
		return convert.Converted{}, &httpError{http.StatusBadRequest, reasonMalformed, fmt.Errorf("cannot decode the OTLP request: %w", err)}
	}
	return b, nil
}

// readBody reads the body, gunzipping it when it says so, refusing more than
// the limit before or after decompression.
func (r *Receiver) readBody(req *http.Request) ([]byte, *httpError) {
	var body io.Reader = http.MaxBytesReader(nil, req.Body, int64(r.maxBytes))
	plain := true
	switch enc := req.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		plain = false
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, tooLargeOr(err, "the gzip body is invalid")
		}
		defer func() { _ = zr.Close() }()
		body = zr
	default:
		return nil, &httpError{http.StatusUnsupportedMediaType, reasonMediaType,
			fmt.Errorf("content encoding %q is not supported; use gzip or none", enc)}
	}
	var data []byte
	var err error
	if n := req.ContentLength; n >= 0 && n <= int64(r.maxBytes) && plain {
		// The usual uncompressed body of a known size: read it into a
		// buffer of that size rather than one grown by doubling.
		data = make([]byte, n)
		if _, err = io.ReadFull(body, data); err != nil {
			return nil, tooLargeOr(err, "cannot read the request body")
		}
	} else if data, err = io.ReadAll(io.LimitReader(body, int64(r.maxBytes)+1)); err != nil {
		return nil, tooLargeOr(err, "cannot read the request body")
	}
	if len(data) > r.maxBytes {
		return nil, tooLarge(r.maxBytes)
	}
	return data, nil
}

func tooLarge(limit int) *httpError {
	return &httpError{http.StatusRequestEntityTooLarge, reasonTooLarge,
		fmt.Errorf("the request exceeds the sink's limit of %d bytes (server.maxMessageBytes)", limit)}
}

func tooLargeOr(err error, what string) *httpError {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return tooLarge(int(maxErr.Limit))
	}
	return &httpError{http.StatusBadRequest, reasonMalformed, fmt.Errorf("%s: %w", what, err)}
}

// httpAccept queues the request and maps a pipeline refusal to OTLP's
// retryable HTTP statuses: 429 for a full queue, 503 while shutting down or
// when the sender stopped waiting, both with Retry-After.
func (r *Receiver) httpAccept(w http.ResponseWriter, req *http.Request, sig signal, c convert.Converted) (proto.Message, *httpError) {
	resp, err := r.accept(req.Context(), sig, c)
	if err == nil {
		return resp, nil
	}
	code := http.StatusServiceUnavailable
	if errors.Is(err, pipeline.ErrFull) {
		code = http.StatusTooManyRequests
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(r.retryAfter.Seconds()))))
	return nil, &httpError{code, refusalReason(err), err}
}

// writeStatus answers with a google.rpc.Status in the request's encoding, as
// OTLP/HTTP specifies.
func writeStatus(w http.ResponseWriter, contentType string, herr *httpError) {
	code := codes.InvalidArgument
	if herr.status == http.StatusTooManyRequests || herr.status == http.StatusServiceUnavailable {
		code = codes.Unavailable
	}
	writeMessage(w, contentType, herr.status, &spb.Status{Code: int32(code), Message: herr.err.Error()})
}

func writeMessage(w http.ResponseWriter, contentType string, status int, m proto.Message) {
	var body []byte
	if contentType == contentProtobuf {
		body, _ = proto.Marshal(m)
	} else {
		contentType = contentJSON
		body, _ = protojson.Marshal(m)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
