package otlpwire

import (
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// SpanHeads reads the head of every span of a valid encoded trace request
// (one ValidateTraces accepted), in request order, and each
// ResourceSpans's resource attributes, which heads index.
func SpanHeads(data []byte) ([]store.SpanHead, []store.Attributes) {
	var heads []store.SpanHead
	var resources []store.Attributes
	EachBytes(data, TraceRequestResourceSpans, func(rs []byte) {
		resources = append(resources, ResourceOf(rs))
		EachBytes(rs, ResourceSpansScopeSpans, func(ss []byte) {
			EachBytes(ss, ScopeSpansSpans, func(sp []byte) {
				heads = append(heads, spanHead(data, sp, len(resources)-1))
			})
		})
	})
	return heads, resources
}

// spanHead reads the head of one span of a valid request data.
func spanHead(data, sp []byte, resource int) store.SpanHead {
	f := spanFields{Head: store.SpanHead{Resource: int32(resource)}}
	EachField(sp, func(fl Field) {
		switch fl.Type {
		case protowire.BytesType:
			f.bytesField(data, fl.Num, fl.Bytes)
		case protowire.Fixed64Type:
			f.fixed64Field(fl.Num, fl.Value)
		}
	})
	f.finish()
	return f.Head
}

// ResourceOf decodes the resource attributes of a valid ResourceSpans; a
// resource field given more than once is merged, as protobuf does.
func ResourceOf(rs []byte) store.Attributes {
	var res []byte
	EachBytes(rs, ResourceSpansResource, func(r []byte) { res = append(res, r...) })
	return resourceAttributes(res)
}

// resourceAttributes decodes a valid encoded Resource's attributes.
func resourceAttributes(res []byte) store.Attributes {
	if len(res) == 0 {
		return nil
	}
	in := interners.Get().(*interner)
	defer interners.Put(in)
	if attrs, err := in.repeatedKV(res, ResourceAttributes, 0); err == nil {
		return attrs
	}
	// An encoding the fast decoder leaves to protobuf (see errSlow).
	r := &resourcepb.Resource{}
	if err := proto.Unmarshal(res, r); err != nil {
		return nil // cannot happen: ValidateTraces checked the request
	}
	return Attributes(r.GetAttributes())
}
