package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

const maxBytes = 4096

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBadHTTPInputGetsTheRightErrorAndTheSinkKeepsServing(t *testing.T) {
	a := startSink(t, testConfig(func(c *config.Config) { c.Server.MaxMessageBytes = maxBytes }), memory.New(config.Memory{}))
	small := marshal(t, traceRequest(1, 1))
	big := marshal(t, traceRequest(2, 200))
	hexJSON := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",` +
		`"spanId":"eee19b7ec3c1b174","name":"json-span","startTimeUnixNano":"1","endTimeUnixNano":"2","newField":1}]}]}]}`
	for _, tc := range []struct {
		name, method, contentType, encoding string
		body                                []byte
		want                                int
	}{
		{"malformed protobuf", "POST", "application/x-protobuf", "", []byte{0xff, 0xff, 0xff, 0x01}, http.StatusBadRequest},
		{"malformed JSON", "POST", "application/json", "", []byte(`{"resourceSpans": [`), http.StatusBadRequest},
		{"JSON id that is not hex", "POST", "application/json", "", []byte(strings.Replace(hexJSON, "5b8e", "zz8e", 1)), http.StatusBadRequest},
		{"wrong content type", "POST", "text/plain", "", small, http.StatusUnsupportedMediaType},
		{"unknown content encoding", "POST", "application/x-protobuf", "br", small, http.StatusUnsupportedMediaType},
		{"corrupt gzip", "POST", "application/x-protobuf", "gzip", small, http.StatusBadRequest},
		{"oversize body", "POST", "application/x-protobuf", "", big, http.StatusRequestEntityTooLarge},
		{"oversize once decompressed", "POST", "application/x-protobuf", "gzip", gzipped(t, make([]byte, 1<<20)), http.StatusRequestEntityTooLarge},
		{"GET", "GET", "application/x-protobuf", "", nil, http.StatusMethodNotAllowed},
		{"gzip protobuf", "POST", "application/x-protobuf", "gzip", gzipped(t, small), http.StatusOK},
		{"JSON with hex ids and an unknown field", "POST", "application/json", "", []byte(hexJSON), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, "http://"+a.Addrs().HTTP+"/v1/traces", bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.contentType)
			if tc.encoding != "" {
				req.Header.Set("Content-Encoding", tc.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("answered %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	eventually(t, "the JSON span under its hex ids", func() bool {
		return countSpans(t, a, "5b8efff798038103d269b633813fc60c") == 1
	})
}

// rawCodec lets a test send arbitrary bytes as a gRPC request.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return encoding.GetCodecV2("proto").Unmarshal(data, v)
}

func (rawCodec) Name() string { return "proto" }

func TestBadGRPCInputGetsTheRightCodeAndTheSinkKeepsServing(t *testing.T) {
	a := startSink(t, testConfig(func(c *config.Config) { c.Server.MaxMessageBytes = maxBytes }), memory.New(config.Memory{}))
	conn, err := grpc.NewClient(a.Addrs().GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	for _, tc := range []struct {
		name string
		body []byte
		want codes.Code
	}{
		{"malformed protobuf", []byte{0xff, 0xff, 0xff, 0x01}, codes.InvalidArgument},
		{"oversize message", marshal(t, traceRequest(2, 200)), codes.ResourceExhausted},
		{"valid request", marshal(t, traceRequest(3, 2)), codes.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var resp coltracepb.ExportTraceServiceResponse
			err := conn.Invoke(ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", tc.body, &resp,
				grpc.ForceCodecV2(rawCodec{}))
			if got := status.Code(err); got != tc.want {
				t.Fatalf("answered %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}
