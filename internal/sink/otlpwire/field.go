package otlpwire

import (
	"encoding/binary"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field is one field of an encoded message, as Next reads it.
type Field struct {
	Num  protowire.Number
	Type protowire.Type
	// Bytes is a length-delimited field's contents.
	Bytes []byte
	// Value is a varint's, fixed32's or fixed64's value.
	Value uint64
}

// Next reads the field at the start of b and returns it with its whole
// length, tag included; n is negative when b does not start with a field
// protobuf can read. It is the only way this package walks an encoding.
//
// One-byte tags, and the one- and two-byte lengths of nearly every field
// OTLP exporters send (ids, names, attributes, spans), are read inline:
// Next runs for every field the validator and the decoder meet.
func Next(b []byte) (f Field, n int) {
	if len(b) >= 2 && b[0]&0x87 == byte(protowire.BytesType) && b[0] != byte(protowire.BytesType) && b[1] < 0x80 && int(b[1]) <= len(b)-2 {
		f.Num, f.Type, f.Bytes = protowire.Number(b[0]>>3), protowire.BytesType, b[2:2+b[1]]
		return f, 2 + int(b[1])
	}
	var tagLen int
	if len(b) > 0 && b[0] < 0x80 {
		if f.Num, f.Type, tagLen = protowire.Number(b[0]>>3), protowire.Type(b[0]&7), 1; f.Num == 0 {
			return f, -1
		}
	} else if f.Num, f.Type, tagLen = tagOf(b); tagLen < 0 {
		return f, -1
	}
	m := value(&f, b[tagLen:])
	if m < 0 {
		return f, -1
	}
	return f, tagLen + m
}

// tagOf reads a tag of more than one byte as proto.Unmarshal does: a
// varint whose field number must lie in [1, protowire.MaxValidNumber].
// protowire.ConsumeTag checks only the lower bound, and truncates numbers
// past 32 bits.
func tagOf(b []byte) (protowire.Number, protowire.Type, int) {
	tag, n := protowire.ConsumeVarint(b)
	if n < 0 || tag>>3 < uint64(protowire.MinValidNumber) || tag>>3 > uint64(protowire.MaxValidNumber) {
		return 0, 0, -1
	}
	return protowire.Number(tag >> 3), protowire.Type(tag & 7), n
}

// value reads the value of f, whose tag was read, from the start of b and
// returns its length; negative when malformed.
func value(f *Field, b []byte) (m int) {
	switch f.Type {
	case protowire.BytesType:
		if len(b) >= 2 && b[0] >= 0x80 && b[1] < 0x80 {
			if l := int(b[0]&0x7f) | int(b[1])<<7; l <= len(b)-2 {
				f.Bytes = b[2 : 2+l]
				return 2 + l
			}
			return -1
		}
		f.Bytes, m = protowire.ConsumeBytes(b)
	case protowire.VarintType:
		if len(b) > 0 && b[0] < 0x80 {
			f.Value = uint64(b[0])
			return 1
		}
		f.Value, m = protowire.ConsumeVarint(b)
	case protowire.Fixed64Type:
		if len(b) < 8 {
			return -1
		}
		f.Value = binary.LittleEndian.Uint64(b)
		return 8
	case protowire.Fixed32Type:
		if len(b) < 4 {
			return -1
		}
		f.Value = uint64(binary.LittleEndian.Uint32(b))
		return 4
	default:
		m = protowire.ConsumeFieldValue(f.Num, f.Type, b)
	}
	return m
}

// EachField calls fn with every field of msg, in order, and stops at the
// first field it cannot read.
func EachField(msg []byte, fn func(Field)) {
	for len(msg) > 0 {
		f, n := Next(msg)
		if n < 0 {
			return
		}
		fn(f)
		msg = msg[n:]
	}
}

// EachBytes calls fn with the contents of every length-delimited field num
// of msg, in order, and stops at the first field it cannot read.
func EachBytes(msg []byte, num protowire.Number, fn func([]byte)) {
	for len(msg) > 0 {
		f, n := Next(msg)
		if n < 0 {
			return
		}
		if f.Num == num && f.Type == protowire.BytesType {
			fn(f.Bytes)
		}
		msg = msg[n:]
	}
}

// appendBytesField appends a length-delimited field.
func appendBytesField(dst []byte, num protowire.Number, v []byte) []byte {
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendBytes(dst, v)
}
