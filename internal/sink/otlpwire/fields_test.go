package otlpwire_test

import (
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
)

// Every field number the package defines is the descriptors' number of
// the field it names, and every field of the messages it reads has one.
func TestFieldNumbersMatchTheDescriptors(t *testing.T) {
	named := map[protoreflect.FullName]map[protoreflect.Name]protowire.Number{
		"opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest": {"resource_spans": otlpwire.TraceRequestResourceSpans},
		"opentelemetry.proto.trace.v1.ResourceSpans": {"resource": otlpwire.ResourceSpansResource,
			"scope_spans": otlpwire.ResourceSpansScopeSpans, "schema_url": otlpwire.ResourceSpansSchemaURL},
		"opentelemetry.proto.resource.v1.Resource": {"attributes": otlpwire.ResourceAttributes,
			"dropped_attributes_count": otlpwire.ResourceDroppedAttributesCount, "entity_refs": otlpwire.ResourceEntityRefs},
		"opentelemetry.proto.trace.v1.ScopeSpans": {"scope": otlpwire.ScopeSpansScope, "spans": otlpwire.ScopeSpansSpans,
			"schema_url": otlpwire.ScopeSpansSchemaURL},
		"opentelemetry.proto.common.v1.InstrumentationScope": {"name": otlpwire.ScopeName, "version": otlpwire.ScopeVersion,
			"attributes": otlpwire.ScopeAttributes, "dropped_attributes_count": otlpwire.ScopeDroppedAttributesCount},
		"opentelemetry.proto.trace.v1.Span": {"trace_id": otlpwire.SpanTraceID, "span_id": otlpwire.SpanSpanID,
			"trace_state": otlpwire.SpanTraceState, "parent_span_id": otlpwire.SpanParentSpanID, "name": otlpwire.SpanName,
			"kind": otlpwire.SpanKind, "start_time_unix_nano": otlpwire.SpanStartTime, "end_time_unix_nano": otlpwire.SpanEndTime,
			"attributes": otlpwire.SpanAttributes, "dropped_attributes_count": otlpwire.SpanDroppedAttributesCount,
			"events": otlpwire.SpanEvents, "dropped_events_count": otlpwire.SpanDroppedEventsCount, "links": otlpwire.SpanLinks,
			"dropped_links_count": otlpwire.SpanDroppedLinksCount, "status": otlpwire.SpanStatus, "flags": otlpwire.SpanFlags},
		"opentelemetry.proto.trace.v1.Span.Event": {"time_unix_nano": otlpwire.SpanEventTime, "name": otlpwire.SpanEventName,
			"attributes": otlpwire.SpanEventAttributes, "dropped_attributes_count": otlpwire.SpanEventDroppedAttributesCount},
		"opentelemetry.proto.trace.v1.Status": {"message": otlpwire.StatusMessage, "code": otlpwire.StatusCode},
		"opentelemetry.proto.common.v1.KeyValue": {"key": otlpwire.KeyValueKey, "value": otlpwire.KeyValueValue,
			"key_strindex": otlpwire.KeyValueKeyStrindex},
		"opentelemetry.proto.common.v1.AnyValue": {"string_value": otlpwire.AnyString, "bool_value": otlpwire.AnyBool,
			"int_value": otlpwire.AnyInt, "double_value": otlpwire.AnyDouble, "array_value": otlpwire.AnyArray,
			"kvlist_value": otlpwire.AnyKVList, "bytes_value": otlpwire.AnyBytes, "string_value_strindex": otlpwire.AnyStringStrindex},
		"opentelemetry.proto.common.v1.ArrayValue":   {"values": otlpwire.ArrayValues},
		"opentelemetry.proto.common.v1.KeyValueList": {"values": otlpwire.KVListValues},
	}
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		fields, ok := named[md.FullName()]
		if !ok || seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			got, ok := fields[fd.Name()]
			switch {
			case !ok:
				t.Errorf("%s: no constant for field %s (%d)", md.FullName(), fd.Name(), fd.Number())
			case got != fd.Number():
				t.Errorf("%s.%s: constant %d, descriptor %d", md.FullName(), fd.Name(), got, fd.Number())
			}
			if fd.Message() != nil {
				walk(fd.Message())
			}
		}
		if len(fields) != md.Fields().Len() {
			t.Errorf("%s: %d constants for %d fields", md.FullName(), len(fields), md.Fields().Len())
		}
	}
	walk((&coltracepb.ExportTraceServiceRequest{}).ProtoReflect().Descriptor())
	for name := range named {
		if !seen[name] {
			t.Errorf("%s: not reached from ExportTraceServiceRequest", name)
		}
	}
}
