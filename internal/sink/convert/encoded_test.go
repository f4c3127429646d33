package convert_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The policy is applied on three paths: to records decoded by protobuf
// (Traces), to records the fast decoder makes (TracesProto), and to the
// encoding itself (TracesEncoded, for stores that keep or forward
// requests). For any input all three must keep the same records and count
// the same outcomes.

// checkSameAsProtobuf converts raw with TracesProto and with proto.Unmarshal
// followed by Traces, and fails unless the batches, the errors and the
// counters agree.
func checkSameAsProtobuf(t *testing.T, raw []byte, c func() *convert.Converter) {
	t.Helper()
	fast, slow := c(), c()
	got, gotErr := fast.TracesProto(raw)
	req := &coltracepb.ExportTraceServiceRequest{}
	var want convert.Converted
	wantErr := proto.Unmarshal(raw, req)
	if wantErr == nil {
		wantErr = otlpwire.CheckTimes(req)
	}
	if wantErr == nil {
		want = slow.Traces(req)
	}
	if diff := cmp.Diff(errText(wantErr), errText(gotErr)); diff != "" {
		t.Fatalf("error (-protobuf +wire):\n%s", diff)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("batch (-protobuf +wire):\n%s", diff)
	}
	if diff := cmp.Diff(counters(t, slow.Telemetry.Registry), counters(t, fast.Telemetry.Registry)); diff != "" {
		t.Fatalf("counters (-protobuf +wire):\n%s", diff)
	}
}

// checkEncodedSameAsRecords applies a policy to raw with TracesEncoded and
// with TracesProto, and fails unless the encoded result, decoded again
// without any policy, gives the records TracesProto gives, with the same
// errors, counts and counters.
func checkEncodedSameAsRecords(t *testing.T, raw []byte, c func() *convert.Converter) {
	t.Helper()
	enc, rec := c(), c()
	got, gotErr := enc.TracesEncoded(raw)
	want, wantErr := rec.TracesProto(raw)
	if diff := cmp.Diff(errText(wantErr), errText(gotErr)); diff != "" {
		t.Fatalf("error (-records +encoded):\n%s", diff)
	}
	if diff := cmp.Diff(counters(t, rec.Telemetry.Registry), counters(t, enc.Telemetry.Registry)); diff != "" {
		t.Fatalf("counters (-records +encoded):\n%s", diff)
	}
	if wantErr != nil {
		return
	}
	if len(got.Spans)+len(got.Events)+len(got.Metrics) != 0 {
		t.Fatalf("TracesEncoded returned records: %+v", got)
	}
	decoded := &store.Batch{}
	for _, e := range got.Encoded {
		checkEncoded(t, &e)
		b, err := otlpwire.DecodeTraces(e.Data, otlpwire.KeepAll)
		if err != nil {
			t.Fatal(err)
		}
		if e.Spans != len(b.Spans) || e.Events != len(b.Events) || e.Metrics != 0 {
			t.Fatalf("Encoded counts %d spans, %d events; it holds %d and %d", e.Spans, e.Events, len(b.Spans), len(b.Events))
		}
		decoded.Spans = append(decoded.Spans, b.Spans...)
		decoded.Events = append(decoded.Events, b.Events...)
	}
	if got.Len() != want.Len() || got.Invalid != want.Invalid || got.Reason != want.Reason {
		t.Fatalf("Len %d, %d invalid (%q); want %d, %d (%q)", got.Len(), got.Invalid, got.Reason, want.Len(), want.Invalid, want.Reason)
	}
	if diff := cmp.Diff(want.Batch, decoded, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("records (-policy on records +policy on the encoding):\n%s", diff)
	}
}

// checkEncoded fails unless an encoded request decodes and its heads are
// the ones read from it.
func checkEncoded(t *testing.T, e *store.Encoded) {
	t.Helper()
	if e.Signal != store.SignalTraces {
		t.Fatalf("signal %d, want traces", e.Signal)
	}
	if err := proto.Unmarshal(e.Data, &coltracepb.ExportTraceServiceRequest{}); err != nil {
		t.Fatalf("the encoded request does not decode: %v", err)
	}
	heads, resources := otlpwire.SpanHeads(e.Data)
	if diff := cmp.Diff(heads, e.Heads, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("heads (-read from the request +made by TracesEncoded):\n%s", diff)
	}
	if diff := cmp.Diff(resources, e.Resources, cmpopts.EquateEmpty(), cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("resources (-read from the request +made by TracesEncoded):\n%s", diff)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// counters renders the sink's counter series of a registry as "name{labels} value".
func counters(t *testing.T, r *prometheus.Registry) []string {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if strings.HasPrefix(f.GetName(), "sink_") && m.GetCounter() != nil {
				out = append(out, f.GetName()+labels(m)+" "+strconv.FormatFloat(m.GetCounter().GetValue(), 'g', -1, 64))
			}
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	parts := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// policy returns a converter factory; converter's metadata is kept unless
// noMetadata.
func policy(rate float64, sig convert.Signals, noMetadata bool) func() *convert.Converter {
	return func() *convert.Converter {
		c := converter(rate, sig)
		if noMetadata {
			c.Metadata = nil
		}
		c.Encoded, c.Heads = true, true
		return c
	}
}

// policies are the configurations every path is compared under.
var policies = []struct {
	name       string
	rate       float64
	sig        convert.Signals
	noMetadata bool
}{
	{name: "all kept", rate: 1, sig: all, noMetadata: true},
	{name: "metadata", rate: 1, sig: all},
	{name: "half sampled", rate: 0.5, sig: all},
	{name: "half sampled without metadata", rate: 0.5, sig: all, noMetadata: true},
	{name: "none sampled", rate: 0, sig: all},
	{name: "events off", rate: 1, sig: convert.Signals{Traces: true}, noMetadata: true},
	{name: "events off, half sampled, metadata", rate: 0.5, sig: convert.Signals{Traces: true, Metrics: true}},
	{name: "traces off", rate: 1, sig: convert.Signals{Events: true}},
}

// checkPaths compares the three paths under every policy (the encoded path
// only where it applies: CanEncodeTraces).
func checkPaths(t *testing.T, raw []byte) {
	t.Helper()
	for _, p := range policies {
		c := policy(p.rate, p.sig, p.noMetadata)
		checkSameAsProtobuf(t, raw, c)
		if c().CanEncodeTraces() {
			checkEncodedSameAsRecords(t, raw, c)
		}
	}
}

func TestThePolicyKeepsTheSameOnEveryPath(t *testing.T) {
	for _, raw := range [][]byte{otlpwiretest.Marshal(otlpwiretest.RichRequest()), otlpwiretest.Marshal(otlpwiretest.TraceRequest()), nil} {
		checkPaths(t, raw)
	}
	for _, tc := range otlpwiretest.Unusual() {
		t.Run(tc.Name, func(t *testing.T) { checkPaths(t, tc.Raw) })
	}
}

// FuzzPolicyPaths: for any bytes, the three paths accept, refuse, keep
// and count alike.
func FuzzPolicyPaths(f *testing.F) {
	f.Add(otlpwiretest.Marshal(otlpwiretest.RichRequest()))
	f.Add(otlpwiretest.Marshal(otlpwiretest.TraceRequest()))
	for _, tc := range otlpwiretest.Unusual() {
		f.Add(tc.Raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkPaths(t, raw) })
}

// A request the policy does not change is handed on as the same bytes.
func TestTracesEncodedPassesUntouchedRequestsOn(t *testing.T) {
	raw := otlpwiretest.Marshal(otlpwiretest.TraceRequest())
	b, err := policy(1, all, true)().TracesEncoded(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Encoded) != 1 || &b.Encoded[0].Data[0] != &raw[0] || len(b.Encoded[0].Data) != len(raw) {
		t.Fatalf("the request was copied or changed: %+v", b.Encoded)
	}
	want, err := policy(1, all, true)().TracesProto(raw)
	if err != nil {
		t.Fatal(err)
	}
	if e := b.Encoded[0]; e.Spans != len(want.Spans) || e.Events != len(want.Events) || e.Spans == 0 || e.Events == 0 {
		t.Fatalf("counts %d spans, %d events; want %d and %d", e.Spans, e.Events, len(want.Spans), len(want.Events))
	}
}

func TestTracesEncodedMetadataNeverOverridesTheResource(t *testing.T) {
	b, err := policy(1, all, false)().TracesEncoded(otlpwiretest.Marshal(otlpwiretest.TraceRequest()))
	if err != nil {
		t.Fatal(err)
	}
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(b.Encoded[0].Data, req); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range req.GetResourceSpans()[0].GetResource().GetAttributes() {
		got[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	want := map[string]string{"service.name": "shop", "env": "prod", "cluster": "c1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("resource (-want +got):\n%s", diff)
	}
}
