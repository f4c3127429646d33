package convert

import (
	"encoding/binary"
	"unsafe"

	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// SpanHeads reads the head of every span of an encoded request that
// TracesEncoded produced (so valid, its ids checked), in request order,
// and each ResourceSpans's resource attributes, which heads index.
func SpanHeads(data []byte) ([]store.SpanHead, []store.Attributes) {
	var heads []store.SpanHead
	var resources []store.Attributes
	eachBytes(data, fieldResourceSpans, func(rs []byte) {
		resources = append(resources, resourceOf(rs))
		eachBytes(rs, fieldScopeSpans, func(ss []byte) {
			eachBytes(ss, fieldSpans, func(sp []byte) {
				heads = append(heads, spanFieldsOf(data, sp, len(resources)-1).head)
			})
		})
	})
	return heads, resources
}

// spanFields is what the policy and the stores need of one span: its trace
// and span id fields, its number of events, and its head.
type spanFields struct {
	trace, span []byte
	events      int
	head        store.SpanHead
}

// bytesField reads a length-delimited field of the span. Of a repeated
// singular field the last counts, and repeated statuses merge, as in
// protobuf.
func (f *spanFields) bytesField(data []byte, num protowire.Number, v []byte) {
	switch num {
	case fieldSpanTraceID:
		f.trace = v
	case fieldSpanID:
		f.span = v
	case 4:
		f.head.HasParent = validSpanID(v)
	case 5:
		f.head.NameAt, f.head.NameLen = uint32(offset(data, v)), uint32(len(v))
	case fieldSpanEvents:
		f.events++
	case 15:
		forFields(v, func(num protowire.Number, typ protowire.Type, field, _ []byte) {
			if num == 3 && typ == protowire.VarintType {
				code, _ := protowire.ConsumeVarint(field[protowire.SizeTag(num):])
				f.head.Failed = tracepb.Status_StatusCode(int32(code)) == tracepb.Status_STATUS_CODE_ERROR
			}
		})
	}
}

// fixed64Field reads a fixed64 field of the span: its start and end times.
func (f *spanFields) fixed64Field(num protowire.Number, v uint64) {
	switch num {
	case 7:
		f.head.Start = int64(v)
	case 8:
		f.head.End = int64(v)
	}
}

// finish fills the head's ids once every field is read.
func (f *spanFields) finish() {
	copy(f.head.TraceID[:], f.trace)
	if len(f.span) == 8 {
		f.head.SpanID = binary.BigEndian.Uint64(f.span)
	}
}

// spanFieldsOf reads the fields of one span of a valid request data.
func spanFieldsOf(data, sp []byte, resource int) spanFields {
	f := spanFields{head: store.SpanHead{Resource: int32(resource)}}
	for b := sp; len(b) > 0; {
		num, typ, v, n := fieldAt(b)
		switch typ {
		case protowire.BytesType:
			f.bytesField(data, num, v)
		case protowire.Fixed64Type:
			f.fixed64Field(num, binary.LittleEndian.Uint64(b[n-8:n]))
		}
		b = b[n:]
	}
	f.finish()
	return f
}

// resourceOf decodes the resource attributes of a valid ResourceSpans; a
// resource field given more than once is merged, as protobuf does.
func resourceOf(rs []byte) store.Attributes {
	var res []byte
	eachBytes(rs, fieldResource, func(r []byte) { res = append(res, r...) })
	return resourceAttributes(res)
}

// resourceAttributes decodes a valid encoded Resource's attributes.
func resourceAttributes(res []byte) store.Attributes {
	if len(res) == 0 {
		return nil
	}
	in := interners.Get().(*interner)
	defer interners.Put(in)
	if attrs, err := in.repeatedKV(res, fieldAttributes, 0); err == nil {
		return attrs
	}
	// An encoding the fast decoder leaves to protobuf (see errSlow).
	r := &resourcepb.Resource{}
	if err := proto.Unmarshal(res, r); err != nil {
		return nil // cannot happen: TracesEncoded validated the request
	}
	return attributes(r.GetAttributes())
}

// plain decodes encoded requests back into records: the policy was
// applied to them already.
var plain = &Converter{Sampler: sampler.New(1), Signals: Signals{Traces: true, Events: true, Metrics: true}, Telemetry: sinkmetrics.New()}

// DecodeTraces decodes an encoded request TracesEncoded produced into its
// records: spans in request order, then span events, with new event ids.
func DecodeTraces(data []byte) (*store.Batch, error) { return plain.TracesProto(data) }

// offset is where sub, a slice of data, starts in it.
func offset(data, sub []byte) int {
	if len(sub) == 0 {
		return 0
	}
	return int(uintptr(unsafe.Pointer(&sub[0])) - uintptr(unsafe.Pointer(&data[0])))
}
