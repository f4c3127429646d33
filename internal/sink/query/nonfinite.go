package query

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxNesting bounds how deep encodeNonFinite follows values, as encoding/json
// does, so that a cycle is an error rather than a stack overflow. Attribute
// values nest at most 64 deep (otlpwire).
const maxNesting = 1000

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	errTooDeep        = errors.New("value nested too deep, or a cycle")
)

// encodeNonFinite writes v as encoding/json.Marshal does, with one
// difference: NaN and infinite floats become the strings "NaN", "+Inf" and
// "-Inf" instead of an error. It follows encoding/json's rules for the
// values an answer holds: struct fields by their json tags (omitempty,
// omitzero, "-", embedded structs), maps with sorted keys, []byte as base64,
// Marshaler and TextMarshaler, strings escaped for HTML.
func encodeNonFinite(buf *bytes.Buffer, v any) error {
	e := nonFiniteEncoder{buf: buf}
	return e.value(reflect.ValueOf(v), 0)
}

type nonFiniteEncoder struct{ buf *bytes.Buffer }

func (e *nonFiniteEncoder) value(v reflect.Value, depth int) error {
	if depth > maxNesting {
		return errTooDeep
	}
	if !v.IsValid() || (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		e.buf.WriteString("null")
		return nil
	}
	if m, ok := marshalerOf(v); ok {
		return e.marshaler(m)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return e.value(v.Elem(), depth+1)
	case reflect.Struct:
		return e.structValue(v, depth)
	case reflect.Map:
		return e.mapValue(v, depth)
	case reflect.Slice, reflect.Array:
		return e.list(v, depth)
	default:
		return e.scalar(v)
	}
}

func (e *nonFiniteEncoder) scalar(v reflect.Value) error {
	b := e.buf.AvailableBuffer()
	switch v.Kind() {
	case reflect.Bool:
		b = strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b = strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b = strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32:
		b = appendFloat(b, v.Float(), 32)
	case reflect.Float64:
		b = appendFloat(b, v.Float(), 64)
	case reflect.String:
		return e.string(v.String())
	default:
		return &json.UnsupportedTypeError{Type: v.Type()}
	}
	e.buf.Write(b)
	return nil
}

// appendFloat formats f as encoding/json does, and the non-finite values
// as strings.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Inf"`...)
	}
	format, abs := byte('f'), math.Abs(f)
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 is written e-7.
		b = b[:n-1]
	}
	return b
}

// string writes s quoted. Strings of printable ASCII without the characters
// encoding/json escapes (quote, backslash, <, > and &) go as they are; any
// other goes through encoding/json, whose escaping is then exactly its own.
func (e *nonFiniteEncoder) string(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, err := json.Marshal(s)
			e.buf.Write(j)
			return err
		}
	}
	e.buf.WriteByte('"')
	e.buf.WriteString(s)
	e.buf.WriteByte('"')
	return nil
}

// marshalerOf finds v's own encoding, as encoding/json looks for it: a
// MarshalJSON or MarshalText method, on the value or, when v is
// addressable, on its pointer.
func marshalerOf(v reflect.Value) (any, bool) {
	t := v.Type()
	switch {
	case t.Implements(marshalerType) || t.Implements(textMarshalerType):
		return v.Interface(), true
	case v.CanAddr() && (reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)):
		return v.Addr().Interface(), true
	}
	return nil, false
}

func (e *nonFiniteEncoder) marshaler(m any) error {
	if jm, ok := m.(json.Marshaler); ok {
		j, err := jm.MarshalJSON()
		if err != nil {
			return err
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, j); err != nil {
			return err
		}
		json.HTMLEscape(e.buf, compact.Bytes())
		return nil
	}
	text, err := m.(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return err
	}
	return e.string(string(text))
}

func (e *nonFiniteEncoder) list(v reflect.Value, depth int) error {
	if v.Kind() == reflect.Slice && v.IsNil() {
		e.buf.WriteString("null")
		return nil
	}
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		if _, ok := marshalerOf(reflect.New(v.Type().Elem())); !ok {
			e.buf.WriteByte('"')
			e.buf.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
			e.buf.WriteByte('"')
			return nil
		}
	}
	e.buf.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		if err := e.value(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteByte(']')
	return nil
}

func (e *nonFiniteEncoder) mapValue(v reflect.Value, depth int) error {
	if v.IsNil() {
		e.buf.WriteString("null")
		return nil
	}
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		key, err := mapKey(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, entry{key, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	e.buf.WriteByte('{')
	for i, en := range entries {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		if err := e.string(en.key); err != nil {
			return err
		}
		e.buf.WriteByte(':')
		if err := e.value(en.val, depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteByte('}')
	return nil
}

// mapKey is a map key as encoding/json writes it: strings as they are,
// then TextMarshaler, then integers in decimal.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		text, err := tm.MarshalText()
		return string(text), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", &json.UnsupportedTypeError{Type: k.Type()}
}
