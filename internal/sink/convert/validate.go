package convert

import (
	"encoding/binary"
	"errors"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// errInvalidWire is what validate reports; callers get protobuf's own error
// for the same bytes instead (see TracesEncoded).
var errInvalidWire = errors.New("convert: not a valid encoding of the message")

// recursionLimit is protobuf-go's default nesting limit for Unmarshal, so
// that validate accepts exactly what proto.Unmarshal accepts.
const recursionLimit = 10000

// wireSchema is a message's fields as validate needs them, indexed by field
// number: compiled once from the protobuf descriptors.
type wireSchema struct {
	fields []wireField
	role   schemaRole
	// short, when set, recognizes the message's most common encodings
	// and reports true only for bytes that validate would accept: the
	// fields validate would otherwise walk one call at a time.
	short func(v []byte) bool
}

// schemaRole marks the trace messages whose occurrences validate reports to
// a spanCollector, so that the policy need not walk the request again.
type schemaRole uint8

const (
	roleNone schemaRole = iota
	roleResourceSpans
	roleSpan
)

// wireField says how one known field is encoded. A field whose wire type on
// the wire differs from typ is an unknown field to protobuf, not an error.
type wireField struct {
	known  bool
	typ    protowire.Type
	utf8   bool        // a proto3 string: the bytes must be UTF-8
	msg    *wireSchema // a message: its bytes must be one too
	packed int         // a repeated number that may come packed: 1 varint, 4 or 8 fixed
}

var (
	schemasMu sync.Mutex
	schemas   = map[protoreflect.FullName]*wireSchema{}
)

// schemaOf compiles (once) the schema of a message descriptor.
func schemaOf(md protoreflect.MessageDescriptor) *wireSchema {
	schemasMu.Lock()
	defer schemasMu.Unlock()
	return compile(md)
}

func compile(md protoreflect.MessageDescriptor) *wireSchema {
	if s, ok := schemas[md.FullName()]; ok {
		return s
	}
	s := &wireSchema{short: shortForms[md.FullName()]}
	schemas[md.FullName()] = s // before the fields: messages may nest themselves
	fds := md.Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		num := int(fd.Number())
		if num >= len(s.fields) {
			s.fields = append(s.fields, make([]wireField, num+1-len(s.fields))...)
		}
		f := wireField{known: true}
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
		s.fields[num] = f
	}
	return s
}

// validate checks that b is an encoding proto.Unmarshal accepts for the
// message: well-formed fields, nested messages valid in turn, proto3
// strings in UTF-8, packed numbers whole. It is on every request's path, so
// one-byte tags and lengths, by far the most common, are read inline.
//
// With a collector, it also reports the ResourceSpans and Span messages it
// meets, in request order, and reads each span's head fields into span
// (not nil while b is a span): one pass over the request instead of two.
//
//nolint:gocyclo // One loop, kept whole: calls per field cost 10% here.
func (s *wireSchema) validate(b []byte, depth int, col *spanCollector, span *spanFields) error {
	if depth > recursionLimit {
		return errInvalidWire
	}
	for len(b) > 0 {
		var num protowire.Number
		var typ protowire.Type
		if t := b[0]; t < 0x80 {
			num, typ, b = protowire.Number(t>>3), protowire.Type(t&7), b[1:]
			if num == 0 {
				return errInvalidWire
			}
		} else {
			var n int
			if num, typ, n = protowire.ConsumeTag(b); n < 0 {
				return errInvalidWire
			}
			b = b[n:]
		}
		var f *wireField
		if int(num) < len(s.fields) {
			f = &s.fields[num]
		}
		if typ == protowire.BytesType {
			var v []byte
			if len(b) > 0 && b[0] < 0x80 && int(b[0]) < len(b) {
				v, b = b[1:1+b[0]], b[1+b[0]:]
			} else {
				n := 0
				if v, n = protowire.ConsumeBytes(b); n < 0 {
					return errInvalidWire
				}
				b = b[n:]
			}
			switch {
			case f == nil || !f.known || (f.typ != protowire.BytesType && f.packed == 0):
			case f.utf8 && span == nil: // Most fields are strings: no call.
				if !validUTF8(v) {
					return errInvalidWire
				}
			default:
				if err := f.lengthDelimited(num, v, depth, col, span); err != nil {
					return err
				}
			}
			continue
		}
		n := skipScalar(num, typ, b, span)
		if n < 0 {
			return errInvalidWire
		}
		b = b[n:]
	}
	return nil
}

// lengthDelimited validates the contents v of a known length-delimited
// field num, reporting it to the collector as validate does.
func (f *wireField) lengthDelimited(num protowire.Number, v []byte, depth int, col *spanCollector, span *spanFields) error {
	if f.isShort(v, depth) { // Valid, and no message with a role.
	} else if f.msg != nil && col != nil {
		if err := col.message(f.msg, v, depth); err != nil {
			return err
		}
	} else if err := f.check(v, depth); err != nil {
		return err
	}
	if span != nil {
		span.bytesField(col.data, num, v)
	}
	return nil
}

// skipScalar is the length of the value of a field that is not
// length-delimited, negative when it is malformed. A span's fixed64
// fields go to span.
func skipScalar(num protowire.Number, typ protowire.Type, b []byte, span *spanFields) int {
	switch {
	case typ == protowire.Fixed64Type && len(b) >= 8:
		if span != nil {
			span.fixed64Field(num, binary.LittleEndian.Uint64(b))
		}
		return 8
	case typ == protowire.Fixed32Type && len(b) >= 4:
		return 4
	case typ == protowire.VarintType && len(b) > 0 && b[0] < 0x80:
		return 1
	}
	return protowire.ConsumeFieldValue(num, typ, b)
}

// check validates the contents of a length-delimited known field.
func (f *wireField) check(v []byte, depth int) error {
	switch {
	case f.isShort(v, depth):
	case f.msg != nil:
		return f.msg.validate(v, depth+1, nil, nil)
	case f.utf8:
		if !validUTF8(v) {
			return errInvalidWire
		}
	case f.packed == 1:
		for len(v) > 0 {
			_, n := protowire.ConsumeVarint(v)
			if n < 0 {
				return errInvalidWire
			}
			v = v[n:]
		}
	case f.packed > 1:
		if len(v)%f.packed != 0 {
			return errInvalidWire
		}
	}
	return nil
}

// isShort is true when v, the contents of this field of a message at
// depth, is a message in one of its schema's short forms. Those nest two
// deep at most, so the recursion limit is checked for that.
func (f *wireField) isShort(v []byte, depth int) bool {
	return f.msg != nil && f.msg.short != nil && depth+2 <= recursionLimit && f.msg.short(v)
}

// spanCollector gathers, while validate checks a trace request, what the
// policy needs of each span, in request order.
type spanCollector struct {
	data      []byte // the request, which names point into
	resources int    // ResourceSpans met so far
	spans     []spanFields
}

// message validates a nested message v, noting it when it has a role.
func (c *spanCollector) message(m *wireSchema, v []byte, depth int) error {
	switch m.role {
	case roleResourceSpans:
		c.resources++
	case roleSpan:
		c.spans = append(c.spans, spanFields{head: store.SpanHead{Resource: int32(c.resources - 1)}})
		// No span nests in a span: the pointer stays valid.
		sf := &c.spans[len(c.spans)-1]
		check := m.validateSpan
		if !spanShortForm {
			check = m.validate
		}
		if err := check(v, depth+1, c, sf); err != nil {
			return err
		}
		sf.finish()
		return nil
	}
	return m.validate(v, depth+1, c, nil)
}

func (c *spanCollector) reset(data []byte) {
	c.data, c.resources, c.spans = data, 0, c.spans[:0]
}

// validUTF8 is utf8.Valid, without its call for the short ASCII strings
// that most OTLP string fields hold (names, attribute keys and values).
func validUTF8(v []byte) bool {
	if len(v) <= 16 {
		for _, c := range v {
			if c >= utf8.RuneSelf {
				return utf8.Valid(v)
			}
		}
		return true
	}
	return utf8.Valid(v)
}
