package convert

import (
	"encoding/binary"
	"unsafe"

	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/telemetry"
)

// SpanHeads reads the head of every span of an encoded request that
// TracesEncoded produced (so valid, its ids checked), in request order,
// and each ResourceSpans's resource attributes, which heads index.
func SpanHeads(data []byte) ([]store.SpanHead, []store.Attributes) {
	heads := make([]store.SpanHead, 0, countSpans(data))
	var resources []store.Attributes
	eachBytes(data, fieldResourceSpans, func(rs []byte) {
		resources = append(resources, resourceOf(rs))
		eachBytes(rs, fieldScopeSpans, func(ss []byte) {
			eachBytes(ss, fieldSpans, func(sp []byte) {
				h := store.SpanHead{Resource: int32(len(resources) - 1)}
				spanHeadKeys(data, sp, &h)
				heads = append(heads, h)
			})
		})
	})
	return heads, resources
}

// countSpans counts the spans of a valid request without reading them.
func countSpans(data []byte) int {
	n := 0
	eachBytes(data, fieldResourceSpans, func(rs []byte) {
		eachBytes(rs, fieldScopeSpans, func(ss []byte) {
			eachBytes(ss, fieldSpans, func([]byte) { n++ })
		})
	})
	return n
}

// spanHeadKeys reads what the policy needs of a span (its trace and span
// id fields and the number of its events) and, when h is not nil, its
// head. Of a repeated singular field the last counts, and repeated
// statuses merge, as in protobuf.
func spanHeadKeys(data, sp []byte, h *store.SpanHead) (trace, span []byte, events int) {
	for b := sp; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			b = b[n:]
			switch num {
			case fieldSpanTraceID:
				trace = v
			case fieldSpanID:
				span = v
			case fieldSpanEvents:
				events++
			}
			if h != nil {
				headField(data, h, num, v)
			}
		case protowire.Fixed64Type:
			v, n := protowire.ConsumeFixed64(b)
			b = b[n:]
			if h != nil && num == 7 {
				h.Start = int64(v)
			} else if h != nil && num == 8 {
				h.End = int64(v)
			}
		default:
			b = b[protowire.ConsumeFieldValue(num, typ, b):]
		}
	}
	if h != nil {
		copy(h.TraceID[:], trace)
		if len(span) == 8 {
			h.SpanID = binary.BigEndian.Uint64(span)
		}
	}
	return trace, span, events
}

// headField reads a length-delimited span field of data into the head.
func headField(data []byte, h *store.SpanHead, num protowire.Number, v []byte) {
	switch num {
	case 4:
		h.HasParent = validSpanID(v)
	case 5:
		h.NameAt, h.NameLen = uint32(offset(data, v)), uint32(len(v))
	case 15:
		forFields(v, func(num protowire.Number, typ protowire.Type, field, _ []byte) {
			if num == 3 && typ == protowire.VarintType {
				code, _ := protowire.ConsumeVarint(field[protowire.SizeTag(num):])
				h.Failed = tracepb.Status_StatusCode(int32(code)) == tracepb.Status_STATUS_CODE_ERROR
			}
		})
	}
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
var plain = &Converter{Sampler: sampler.New(1), Signals: Signals{Traces: true, Events: true, Metrics: true}, Telemetry: telemetry.New()}

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
