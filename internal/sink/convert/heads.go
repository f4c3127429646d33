package convert

import (
	"encoding/binary"

	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/telemetry"
)

// SpanHead is what a store can index of an encoded span without decoding
// it: what trace rows and span listings need first. The rest (attributes,
// status message, scope) comes from DecodeTraces when a query asks.
type SpanHead struct {
	TraceID [16]byte
	SpanID  uint64
	// HasParent is false for a root span (no parent id, or an all-zero one).
	HasParent bool
	Name      []byte // shares the request's bytes
	Start     int64  // Unix nanoseconds
	End       int64
	Failed    bool // status code ERROR
}

// EachSpanHead walks an encoded ExportTraceServiceRequest that TracesEncoded
// produced (so valid, its ids checked): resource is called with each
// ResourceSpans's decoded resource attributes before span is called with
// the heads of its spans, in request order. span must not keep h.
func EachSpanHead(data []byte, resource func(store.Attributes), span func(h *SpanHead)) {
	var h SpanHead
	eachBytes(data, fieldResourceSpans, func(rs []byte) {
		var res []byte
		eachBytes(rs, fieldResource, func(r []byte) { res = append(res, r...) })
		resource(resourceAttributes(res))
		eachBytes(rs, fieldScopeSpans, func(ss []byte) {
			eachBytes(ss, fieldSpans, func(sp []byte) {
				h = SpanHead{}
				spanHead(sp, &h)
				span(&h)
			})
		})
	})
}

// spanHead reads the head fields of a valid span; of a repeated singular
// field the last counts, and repeated statuses merge, as in protobuf.
func spanHead(sp []byte, h *SpanHead) {
	forFields(sp, func(num protowire.Number, typ protowire.Type, field, v []byte) {
		switch {
		case typ == protowire.BytesType && num == fieldSpanTraceID:
			copy(h.TraceID[:], v)
		case typ == protowire.BytesType && num == fieldSpanID:
			if len(v) == 8 {
				h.SpanID = binary.BigEndian.Uint64(v)
			}
		case typ == protowire.BytesType && num == 4:
			h.HasParent = spanID(v) != ""
		case typ == protowire.BytesType && num == 5:
			h.Name = v
		case typ == protowire.Fixed64Type && (num == 7 || num == 8):
			ns, _ := protowire.ConsumeFixed64(field[protowire.SizeTag(num):])
			if num == 7 {
				h.Start = int64(ns)
			} else {
				h.End = int64(ns)
			}
		case typ == protowire.BytesType && num == 15:
			forFields(v, func(num protowire.Number, typ protowire.Type, field, _ []byte) {
				if num == 3 && typ == protowire.VarintType {
					code, _ := protowire.ConsumeVarint(field[protowire.SizeTag(num):])
					h.Failed = tracepb.Status_StatusCode(int32(code)) == tracepb.Status_STATUS_CODE_ERROR
				}
			})
		}
	})
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
