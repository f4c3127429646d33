package otlpwire

import "google.golang.org/protobuf/encoding/protowire"

// Field numbers of the OTLP messages this package reads and writes, from
// opentelemetry/proto/{collector/trace,trace,resource,common}/v1. Every
// number the package uses is one of these; TestFieldNumbersMatchTheDescriptors
// checks each against the protobuf descriptors, and that no field of these
// messages is missing.

// TraceRequestResourceSpans is ExportTraceServiceRequest.resource_spans.
const TraceRequestResourceSpans protowire.Number = 1

// ResourceSpans.
const (
	ResourceSpansResource   protowire.Number = 1
	ResourceSpansScopeSpans protowire.Number = 2
	ResourceSpansSchemaURL  protowire.Number = 3
)

// Resource.
const (
	ResourceAttributes             protowire.Number = 1
	ResourceDroppedAttributesCount protowire.Number = 2
	ResourceEntityRefs             protowire.Number = 3
)

// ScopeSpans.
const (
	ScopeSpansScope     protowire.Number = 1
	ScopeSpansSpans     protowire.Number = 2
	ScopeSpansSchemaURL protowire.Number = 3
)

// InstrumentationScope.
const (
	ScopeName                   protowire.Number = 1
	ScopeVersion                protowire.Number = 2
	ScopeAttributes             protowire.Number = 3
	ScopeDroppedAttributesCount protowire.Number = 4
)

// Span.
const (
	SpanTraceID                protowire.Number = 1
	SpanSpanID                 protowire.Number = 2
	SpanTraceState             protowire.Number = 3
	SpanParentSpanID           protowire.Number = 4
	SpanName                   protowire.Number = 5
	SpanKind                   protowire.Number = 6
	SpanStartTime              protowire.Number = 7
	SpanEndTime                protowire.Number = 8
	SpanAttributes             protowire.Number = 9
	SpanDroppedAttributesCount protowire.Number = 10
	SpanEvents                 protowire.Number = 11
	SpanDroppedEventsCount     protowire.Number = 12
	SpanLinks                  protowire.Number = 13
	SpanDroppedLinksCount      protowire.Number = 14
	SpanStatus                 protowire.Number = 15
	SpanFlags                  protowire.Number = 16
)

// Span.Event.
const (
	SpanEventTime                   protowire.Number = 1
	SpanEventName                   protowire.Number = 2
	SpanEventAttributes             protowire.Number = 3
	SpanEventDroppedAttributesCount protowire.Number = 4
)

// Status.
const (
	StatusMessage protowire.Number = 2
	StatusCode    protowire.Number = 3
)

// KeyValue.
const (
	KeyValueKey         protowire.Number = 1
	KeyValueValue       protowire.Number = 2
	KeyValueKeyStrindex protowire.Number = 3
)

// AnyValue: one field of a oneof.
const (
	AnyString         protowire.Number = 1
	AnyBool           protowire.Number = 2
	AnyInt            protowire.Number = 3
	AnyDouble         protowire.Number = 4
	AnyArray          protowire.Number = 5
	AnyKVList         protowire.Number = 6
	AnyBytes          protowire.Number = 7
	AnyStringStrindex protowire.Number = 8
)

// ArrayValue and KeyValueList.
const (
	ArrayValues  protowire.Number = 1
	KVListValues protowire.Number = 1
)

// One-byte tags (field number below 16) of the fields the validator's short
// forms compare byte by byte.
const (
	tagKVKey     = byte(KeyValueKey)<<3 | byte(protowire.BytesType)
	tagKVValue   = byte(KeyValueValue)<<3 | byte(protowire.BytesType)
	tagAnyString = byte(AnyString)<<3 | byte(protowire.BytesType)
	tagAnyBool   = byte(AnyBool)<<3 | byte(protowire.VarintType)
	tagAnyInt    = byte(AnyInt)<<3 | byte(protowire.VarintType)
	tagAnyDouble = byte(AnyDouble)<<3 | byte(protowire.Fixed64Type)
	tagAnyBytes  = byte(AnyBytes)<<3 | byte(protowire.BytesType)

	tagSpanTraceID    = byte(SpanTraceID)<<3 | byte(protowire.BytesType)
	tagSpanID         = byte(SpanSpanID)<<3 | byte(protowire.BytesType)
	tagSpanParent     = byte(SpanParentSpanID)<<3 | byte(protowire.BytesType)
	tagSpanName       = byte(SpanName)<<3 | byte(protowire.BytesType)
	tagSpanKind       = byte(SpanKind)<<3 | byte(protowire.VarintType)
	tagSpanStart      = byte(SpanStartTime)<<3 | byte(protowire.Fixed64Type)
	tagSpanEnd        = byte(SpanEndTime)<<3 | byte(protowire.Fixed64Type)
	tagSpanAttributes = byte(SpanAttributes)<<3 | byte(protowire.BytesType)
)
