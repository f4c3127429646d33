package otlpwire_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// recording is a policy that keeps the spans whose trace id's first byte
// is even, stamps one attribute, and records what it was asked.
type recording struct {
	asked []string
}

func (r *recording) Resource(attrs store.Attributes) store.Attributes {
	r.asked = append(r.asked, fmt.Sprintf("resource %d", len(attrs)))
	if attrs == nil {
		attrs = store.Attributes{}
	}
	attrs["stamped"] = "yes"
	return attrs
}

func (r *recording) Span(trace, span []byte, events int) (keepSpan, keepEvents bool) {
	r.asked = append(r.asked, fmt.Sprintf("span %x %x %d", trace, span, events))
	keep := len(trace) > 0 && trace[0]%2 == 0
	return keep, keep && events%2 == 1
}

func (r *recording) LogRecord([]byte, string) (keepLog, keepEvent bool) { return true, true }
func (r *recording) Metric(int) bool                                    { return true }
func (r *recording) Restart()                                           { r.asked = r.asked[:0] }

// checkDecodesAsProtobuf decodes raw with DecodeTraces and with
// proto.Unmarshal followed by Traces, under the same policy, and fails
// unless the batches, the errors and the policy's questions agree.
func checkDecodesAsProtobuf(t *testing.T, raw []byte) {
	t.Helper()
	for _, newPolicy := range []func() (otlpwire.Policy, func() []string){
		func() (otlpwire.Policy, func() []string) { return otlpwire.KeepAll, func() []string { return nil } },
		func() (otlpwire.Policy, func() []string) {
			r := &recording{}
			return r, func() []string { return r.asked }
		},
	} {
		fastPolicy, fastAsked := newPolicy()
		slowPolicy, slowAsked := newPolicy()
		got, gotErr := otlpwire.DecodeTraces(raw, fastPolicy)
		req := &coltracepb.ExportTraceServiceRequest{}
		var want *store.Batch
		wantErr := proto.Unmarshal(raw, req)
		if wantErr == nil {
			wantErr = otlpwire.CheckTimes(req)
		}
		if wantErr == nil {
			want = otlpwire.Traces(req, slowPolicy)
		}
		if diff := cmp.Diff(errText(wantErr), errText(gotErr)); diff != "" {
			t.Fatalf("error (-protobuf +wire):\n%s", diff)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("batch (-protobuf +wire):\n%s", diff)
		}
		if wantErr == nil {
			if diff := cmp.Diff(slowAsked(), fastAsked()); diff != "" {
				t.Fatalf("policy asked (-protobuf +wire):\n%s", diff)
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDecodeTracesDecodesAsProtobufDoes(t *testing.T) {
	for _, raw := range [][]byte{otlpwiretest.Marshal(otlpwiretest.RichRequest()), otlpwiretest.Marshal(otlpwiretest.TraceRequest()), nil} {
		if !otlpwire.TakesFastPath(raw) {
			t.Fatal("a request protobuf encoded fell back to protobuf")
		}
		checkDecodesAsProtobuf(t, raw)
	}
}

// Encodings that protobuf reads in its own way give protobuf's result,
// whichever path reads them.
func TestDecodeTracesEncodingsOutsideTheFastPath(t *testing.T) {
	for _, tc := range otlpwiretest.Unusual() {
		t.Run(tc.Name, func(t *testing.T) {
			if got := otlpwire.TakesFastPath(tc.Raw); got != tc.Fast {
				t.Errorf("fast path taken: %v, want %v", got, tc.Fast)
			}
			checkDecodesAsProtobuf(t, tc.Raw)
		})
	}
}

// FuzzDecodeTraces: whatever protobuf makes of the bytes, so must
// DecodeTraces, on either of its paths.
func FuzzDecodeTraces(f *testing.F) {
	f.Add(otlpwiretest.Marshal(otlpwiretest.RichRequest()))
	f.Add(otlpwiretest.Marshal(otlpwiretest.TraceRequest()))
	for _, tc := range otlpwiretest.Unusual() {
		f.Add(tc.Raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecodesAsProtobuf(t, raw) })
}
