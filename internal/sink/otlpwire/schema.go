package otlpwire

import (
	"sync"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// schema is a message's fields as the validator needs them, indexed by
// field number: compiled once from the protobuf descriptors, so that the
// validator knows every field protobuf knows.
type schema struct {
	fields []schemaField
	role   schemaRole
	// short, when set, recognizes the message's most common encodings
	// and reports true only for bytes that validate would accept: the
	// fields validate would otherwise walk one call at a time.
	short func(v []byte) bool
}

// schemaRole marks the trace messages whose occurrences validate reports to
// a SpanCollector, so that the policy need not walk the request again.
type schemaRole uint8

const (
	roleNone schemaRole = iota
	roleResourceSpans
	roleSpan
	roleSpanEvent
)

// schemaField says how one known field is encoded. A field whose wire type
// on the wire differs from typ is an unknown field to protobuf, not an
// error.
type schemaField struct {
	known  bool
	typ    protowire.Type
	utf8   bool    // a proto3 string: the bytes must be UTF-8
	msg    *schema // a message: its bytes must be one too
	packed int     // a repeated number that may come packed: 1 varint, 4 or 8 fixed
}

var (
	schemasMu sync.Mutex
	schemas   = map[protoreflect.FullName]*schema{}
)

// schemaOf compiles (once) the schema of a message descriptor.
func schemaOf(md protoreflect.MessageDescriptor) *schema {
	schemasMu.Lock()
	defer schemasMu.Unlock()
	return compile(md)
}

func compile(md protoreflect.MessageDescriptor) *schema {
	if s, ok := schemas[md.FullName()]; ok {
		return s
	}
	s := &schema{short: shortForms[md.FullName()]}
	schemas[md.FullName()] = s // before the fields: messages may nest themselves
	fds := md.Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		num := int(fd.Number())
		if num >= len(s.fields) {
			s.fields = append(s.fields, make([]schemaField, num+1-len(s.fields))...)
		}
		s.fields[num] = compileField(fd)
	}
	return s
}

func compileField(fd protoreflect.FieldDescriptor) schemaField {
	f := schemaField{known: true}
	switch fd.Kind() {
	case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Sint32Kind,
		protoreflect.Uint32Kind, protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Uint64Kind:
		f.typ, f.packed = protowire.VarintType, 1
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		f.typ, f.packed = protowire.Fixed32Type, 4
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		f.typ, f.packed = protowire.Fixed64Type, 8
	case protoreflect.StringKind:
		f.typ, f.utf8 = protowire.BytesType, fd.Syntax() == protoreflect.Proto3
	case protoreflect.BytesKind:
		f.typ = protowire.BytesType
	case protoreflect.MessageKind:
		f.typ, f.msg = protowire.BytesType, compile(fd.Message())
	case protoreflect.GroupKind:
		f.typ = protowire.StartGroupType
	}
	if !fd.IsList() {
		f.packed = 0
	}
	return f
}

// traceRequestSchema is the schema of ExportTraceServiceRequest, with the
// messages validate reports to a SpanCollector marked.
var traceRequestSchema = sync.OnceValue(func() *schema {
	s := schemaOf((&coltracepb.ExportTraceServiceRequest{}).ProtoReflect().Descriptor())
	rs := s.fields[TraceRequestResourceSpans].msg
	rs.role = roleResourceSpans
	sp := rs.fields[ResourceSpansScopeSpans].msg.fields[ScopeSpansSpans].msg
	sp.role = roleSpan
	sp.fields[SpanEvents].msg.role = roleSpanEvent
	return s
})
