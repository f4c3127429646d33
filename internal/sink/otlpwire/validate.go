package otlpwire

import (
	"errors"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// errInvalidWire is what validate reports; callers get protobuf's own error
// for the same bytes instead (see ValidateTraces).
var errInvalidWire = errors.New("otlpwire: not a valid encoding of the message")

// recursionLimit is protobuf-go's default nesting limit for Unmarshal, so
// that validate accepts exactly what proto.Unmarshal accepts.
const recursionLimit = 10000

// validate checks that b is an encoding proto.Unmarshal accepts for the
// message: well-formed fields, nested messages valid in turn, proto3
// strings in UTF-8, packed numbers whole.
//
// With a collector, it also reports the ResourceSpans and Span messages it
// meets, in request order, and reads each span's head fields into span
// (not nil while b is a span): one pass over the request instead of two.
func (s *schema) validate(b []byte, depth int, col *SpanCollector, span *spanFields) error {
	if depth > recursionLimit {
		return errInvalidWire
	}
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return errInvalidWire
		}
		b = b[n:]
		if f.Type != protowire.BytesType {
			if span != nil && f.Type == protowire.Fixed64Type {
				span.fixed64Field(f.Num, f.Value)
			}
			continue
		}
		var sf *schemaField
		if int(f.Num) < len(s.fields) {
			sf = &s.fields[f.Num]
		}
		switch {
		case sf == nil || !sf.known || (sf.typ != protowire.BytesType && sf.packed == 0):
		case sf.utf8 && span == nil: // Most fields are strings: no call.
			if !validUTF8(f.Bytes) {
				return errInvalidWire
			}
		default:
			if err := sf.lengthDelimited(f.Num, f.Bytes, depth, col, span); err != nil {
				return err
			}
		}
	}
	return nil
}

// lengthDelimited validates the contents v of a known length-delimited
// field num, reporting it to the collector as validate does.
func (f *schemaField) lengthDelimited(num protowire.Number, v []byte, depth int, col *SpanCollector, span *spanFields) error {
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

// check validates the contents of a length-delimited known field.
func (f *schemaField) check(v []byte, depth int) error {
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
func (f *schemaField) isShort(v []byte, depth int) bool {
	return f.msg != nil && f.msg.short != nil && depth+2 <= recursionLimit && f.msg.short(v)
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
