package convert

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Attributes are most of the fields of an OTLP request (a span with four
// attributes has sixteen fields in them and seven of its own), and nearly
// every attribute is encoded the same way: a key, then a value holding one
// string, number or bool. validate walks each of those as two nested
// messages, a call or three per field; the short forms below read them in
// one straight pass. They answer true only for bytes validate accepts, and
// leave everything else (other orders, repeated or unknown fields, nested
// values) to validate, so the result is the same either way.
var shortForms = map[protoreflect.FullName]func([]byte) bool{
	"opentelemetry.proto.common.v1.KeyValue": shortKeyValue,
	"opentelemetry.proto.common.v1.AnyValue": shortAnyValue,
}

// Tags of the fields the short forms read.
const (
	tagKVKey     = fieldKVKey<<3 | byte(protowire.BytesType)   // KeyValue.key
	tagKVValue   = fieldKVValue<<3 | byte(protowire.BytesType) // KeyValue.value
	tagAnyString = 1<<3 | byte(protowire.BytesType)            // AnyValue.string_value
	tagAnyBool   = 2<<3 | byte(protowire.VarintType)           // AnyValue.bool_value
	tagAnyInt    = 3<<3 | byte(protowire.VarintType)           // AnyValue.int_value
	tagAnyDouble = 4<<3 | byte(protowire.Fixed64Type)          // AnyValue.double_value
	tagAnyBytes  = 7<<3 | byte(protowire.BytesType)            // AnyValue.bytes_value
)

// shortKeyValue recognizes a KeyValue that is its key (a proto3 string,
// absent when empty), then its value in a short form of AnyValue, or not.
func shortKeyValue(v []byte) bool {
	if len(v) > 0 && v[0] == tagKVKey {
		key, rest, ok := shortBytes(v, tagKVKey)
		if !ok || !validUTF8(key) {
			return false
		}
		v = rest
	}
	if len(v) == 0 {
		return true
	}
	val, rest, ok := shortBytes(v, tagKVValue)
	return ok && len(rest) == 0 && shortAnyValue(val)
}

// shortAnyValue recognizes an AnyValue that is empty or holds one string,
// bool, integer, double or bytes field.
func shortAnyValue(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	switch v[0] {
	case tagAnyString:
		s, rest, ok := shortBytes(v, tagAnyString)
		return ok && len(rest) == 0 && validUTF8(s)
	case tagAnyBytes:
		_, rest, ok := shortBytes(v, tagAnyBytes)
		return ok && len(rest) == 0
	case tagAnyBool, tagAnyInt:
		_, n := protowire.ConsumeVarint(v[1:])
		return n == len(v)-1
	case tagAnyDouble:
		return len(v) == 9
	}
	return false
}

// shortBytes reads a length-delimited field with the one-byte tag tag at
// the start of b, whose length takes one or two bytes.
func shortBytes(b []byte, tag byte) (v, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, l := int(b[1]), 2
	if n >= 0x80 {
		if len(b) < 3 || b[2] >= 0x80 {
			return nil, nil, false
		}
		n, l = n&0x7f|int(b[2])<<7, 3
	}
	if n > len(b)-l {
		return nil, nil, false
	}
	return b[l : l+n], b[l+n:], true
}
