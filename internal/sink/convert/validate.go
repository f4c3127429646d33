package convert

import (
	"errors"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
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
}

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
	s := &wireSchema{}
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
func (s *wireSchema) validate(b []byte, depth int) error {
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
			if f != nil && f.known && (f.typ == protowire.BytesType || f.packed != 0) {
				if err := f.check(v, depth); err != nil {
					return err
				}
			}
			continue
		}
		n := protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return errInvalidWire
		}
		b = b[n:]
	}
	return nil
}

// check validates the contents of a length-delimited known field.
func (f wireField) check(v []byte, depth int) error {
	switch {
	case f.msg != nil:
		return f.msg.validate(v, depth+1)
	case f.utf8:
		if !utf8.Valid(v) {
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
