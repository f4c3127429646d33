package convert_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

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
	plain := &convert.Converter{Sampler: sampler.New(1), Signals: all, Telemetry: sinkmetrics.New()}
	for _, e := range got.Encoded {
		if e.Signal != store.SignalTraces {
			t.Fatalf("signal %d, want traces", e.Signal)
		}
		if err := proto.Unmarshal(e.Data, &coltracepb.ExportTraceServiceRequest{}); err != nil {
			t.Fatalf("the encoded request does not decode: %v", err)
		}
		heads, resources := convert.SpanHeads(e.Data)
		if diff := cmp.Diff(heads, e.Heads, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("heads (-read from the request +made by TracesEncoded):\n%s", diff)
		}
		if diff := cmp.Diff(resources, e.Resources, cmpopts.EquateEmpty(), cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("resources (-read from the request +made by TracesEncoded):\n%s", diff)
		}
		b, err := plain.TracesProto(e.Data)
		if err != nil {
			t.Fatal(err)
		}
		if e.Spans != len(b.Spans) || e.Events != len(b.Events) || e.Metrics != 0 {
			t.Fatalf("Encoded counts %d spans, %d events; it holds %d and %d", e.Spans, e.Events, len(b.Spans), len(b.Events))
		}
		decoded.Spans = append(decoded.Spans, b.Spans...)
		decoded.Events = append(decoded.Events, b.Events...)
	}
	if got.Len() != want.Len() {
		t.Fatalf("Len %d, want %d", got.Len(), want.Len())
	}
	if diff := cmp.Diff(want, decoded, ignored, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("records (-policy on records +policy on the encoding):\n%s", diff)
	}
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

func TestTracesEncodedAppliesThePolicyAsRecordsDo(t *testing.T) {
	for _, tc := range []struct {
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEncodedSameAsRecords(t, marshal(t, richRequest()), policy(tc.rate, tc.sig, tc.noMetadata))
			checkEncodedSameAsRecords(t, marshal(t, traceRequest()), policy(tc.rate, tc.sig, tc.noMetadata))
			checkEncodedSameAsRecords(t, nil, policy(tc.rate, tc.sig, tc.noMetadata))
		})
	}
}

// A request the policy does not change is handed on as the same bytes.
func TestTracesEncodedPassesUntouchedRequestsOn(t *testing.T) {
	raw := marshal(t, traceRequest())
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
	b, err := policy(1, all, false)().TracesEncoded(marshal(t, traceRequest()))
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

// TestTracesEncodedUnusualEncodings: merges, unknown and mistyped fields,
// bad UTF-8 and bad lengths are accepted or refused as protobuf does.
func TestTracesEncodedUnusualEncodings(t *testing.T) {
	res := marshal(t, resource())
	kv := func(k string, v []byte) []byte { return field(field(nil, 1, []byte(k)), 2, v) }
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{name: "unknown fields", raw: request(varint(res, 99, 1), varint(validSpan(), 99, 3))},
		{name: "unknown group", raw: request(res, append(validSpan(), protowire.AppendTag(protowire.AppendTag(nil, 98, protowire.StartGroupType), 98, protowire.EndGroupType)...))},
		{name: "trace id twice, last wins", raw: request(res, field(validSpan(), 1, make([]byte, 16)))},
		{name: "status twice is merged", raw: request(res, field(field(validSpan(), 15, varint(nil, 3, 2)), 15, field(nil, 2, []byte("m"))))},
		{name: "value with two fields", raw: request(res, field(validSpan(), 9, field(field(nil, 1, []byte("k")), 2, field(varint(nil, 3, 1), 1, []byte("s")))))},
		{name: "mistyped kind", raw: request(res, field(validSpan(), 6, []byte("x")))},
		{name: "mistyped name", raw: request(res, varint(validSpan(), 5, 1))},
		{name: "mistyped trace id", raw: request(res, varint(validSpan(), 1, 1))},
		{name: "resource twice", raw: field(nil, 1, field(field(field(nil, 1, res), 1, marshal(t, resource())), 2, field(nil, 2, validSpan())))},
		{name: "invalid UTF-8 name", raw: request(res, field(validSpan(), 5, []byte{0xff}))},
		{name: "invalid UTF-8 key", raw: request(res, field(validSpan(), 9, kv("\xff", nil)))},
		{name: "invalid UTF-8 in a link", raw: request(res, field(validSpan(), 13, field(nil, 3, []byte{0xff})))},
		{name: "invalid UTF-8 in the resource", raw: request(field(res, 1, kv("k", field(nil, 1, []byte{0xc3}))), validSpan())},
		{name: "truncated", raw: request(res, validSpan())[:20]},
		{name: "length past the end", raw: []byte{0x0a, 0x7f, 0x0a}},
		{name: "field number zero", raw: []byte{0x00, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEncodedSameAsRecords(t, tc.raw, policy(1, all, true))
			checkEncodedSameAsRecords(t, tc.raw, policy(0.5, convert.Signals{Traces: true}, false))
		})
	}
}

// TestTracesEncodedMutatedInput flips, cuts and inserts bytes of a valid
// request at random: the encoded path must accept, refuse and keep exactly
// what the record path does.
func TestTracesEncodedMutatedInput(t *testing.T) {
	raw := marshal(t, richRequest())
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		b := mutated(raw, rng)
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkEncodedSameAsRecords(t, b, policy(0.5, all, i%2 == 0)) })
	}
}
