package convert

import (
	"errors"
	"math"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The wire decoder reads OTLP's protobuf encoding straight into store
// records, without building the protobuf message tree first: that tree was
// most of the ingest path's allocations and CPU. It covers the encodings
// OTLP exporters produce; anything else (a field repeated that protobuf would
// merge, a value kind the converter ignores, malformed bytes) makes it give
// up with errSlow, and the caller decodes with protobuf instead, so the
// result and the errors are protobuf's in every case.
var errSlow = errors.New("convert: encoding outside the wire decoder's fast path")

// maxDepth bounds nested attribute values, well below protobuf's own limit,
// so that the fast path never accepts what protobuf would refuse.
const maxDepth = 64

// field is one decoded field: bytes for the length-delimited wire type, num
// for the others.
type field struct {
	num   protowire.Number
	typ   protowire.Type
	bytes []byte
	num64 uint64
}

// next reads the field at the start of b and returns the rest of b.
func next(b []byte) (f field, rest []byte, err error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return f, nil, errSlow
	}
	b, f.num, f.typ = b[n:], num, typ
	switch typ {
	case protowire.VarintType:
		f.num64, n = protowire.ConsumeVarint(b)
	case protowire.Fixed32Type:
		var v uint32
		v, n = protowire.ConsumeFixed32(b)
		f.num64 = uint64(v)
	case protowire.Fixed64Type:
		f.num64, n = protowire.ConsumeFixed64(b)
	case protowire.BytesType:
		f.bytes, n = protowire.ConsumeBytes(b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, b)
	}
	if n < 0 {
		return f, nil, errSlow
	}
	return f, b[n:], nil
}

// is checks a known field's wire type; protobuf would keep a mismatch as an
// unknown field, which the fast path leaves to it.
func (f field) is(typ protowire.Type) error {
	if f.typ != typ {
		return errSlow
	}
	return nil
}

// text is a string field's bytes, which proto3 requires to be UTF-8.
func (f field) text() ([]byte, error) {
	if f.typ != protowire.BytesType || !utf8.Valid(f.bytes) {
		return nil, errSlow
	}
	return f.bytes, nil
}

// interner shares the strings that repeat across records (attribute keys,
// short values, span names), so that each is allocated and kept once instead
// of once per record. Interners are pooled, so the sharing spans requests.
type interner struct {
	strs map[string]string
	vals map[string]any
	kvs  []kv
}

// Bounds of an interner: strings longer than maxInternLen are rarely
// repeated, and a full interner starts over to follow what is sent now.
const (
	maxInterned  = 4096
	maxInternLen = 64
)

var interners = sync.Pool{New: func() any {
	return &interner{strs: map[string]string{}, vals: map[string]any{}}
}}

func (in *interner) str(b []byte) string {
	if s, ok := in.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= maxInternLen {
		if len(in.strs) >= maxInterned {
			clear(in.strs)
		}
		in.strs[s] = s
	}
	return s
}

// value is a string attribute value already boxed in an interface, which
// saves an allocation per value.
func (in *interner) value(b []byte) any {
	if v, ok := in.vals[string(b)]; ok {
		return v
	}
	var v any = in.str(b)
	if len(b) <= maxInternLen {
		if len(in.vals) >= maxInterned {
			clear(in.vals)
		}
		in.vals[string(b)] = v
	}
	return v
}

// kv is one decoded attribute. Attributes are gathered in the interner's
// scratch slice first, so that each map is made with its final size.
type kv struct {
	key string
	v   any
}

// addKV decodes the KeyValue in f onto the scratch slice.
func (in *interner) addKV(f field, depth int) error {
	if err := f.is(protowire.BytesType); err != nil {
		return err
	}
	k, v, err := in.keyValue(f.bytes, depth)
	if err != nil {
		return err
	}
	in.kvs = append(in.kvs, kv{k, v})
	return nil
}

// attrs moves the scratch attributes from index from on into a map, as
// attributes does; nil when there are none.
func (in *interner) attrs(from int) store.Attributes {
	kvs := in.kvs[from:]
	if len(kvs) == 0 {
		return nil
	}
	attrs := make(store.Attributes, len(kvs))
	for _, e := range kvs {
		attrs[e.key] = e.v
	}
	clear(kvs)
	in.kvs = in.kvs[:from]
	return attrs
}

// repeatedKV decodes a message whose field num holds KeyValues.
func (in *interner) repeatedKV(b []byte, num protowire.Number, depth int) (store.Attributes, error) {
	from := len(in.kvs)
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			in.kvs = in.kvs[:from]
			return nil, err
		}
		b = rest
		if f.num != num {
			continue
		}
		if err := in.addKV(f, depth); err != nil {
			in.kvs = in.kvs[:from]
			return nil, err
		}
	}
	return in.attrs(from), nil
}

func (in *interner) keyValue(b []byte, depth int) (key string, v any, err error) {
	seen := false
	for len(b) > 0 {
		var f field
		if f, b, err = next(b); err != nil {
			return "", nil, err
		}
		switch f.num {
		case 1:
			k, err := f.text()
			if err != nil {
				return "", nil, err
			}
			key = in.str(k)
		case 2:
			if seen || f.typ != protowire.BytesType {
				return "", nil, errSlow
			}
			seen = true
			if v, err = in.anyValue(f.bytes, depth+1); err != nil {
				return "", nil, err
			}
		case 3:
			if err := f.is(protowire.VarintType); err != nil {
				return "", nil, err
			}
		}
	}
	return key, v, nil
}

// anyValue decodes an AnyValue as value does. A value with more than one
// field set is left to protobuf, which merges or replaces them.
func (in *interner) anyValue(b []byte, depth int) (v any, err error) {
	if depth > maxDepth {
		return nil, errSlow
	}
	seen := false
	for len(b) > 0 {
		var f field
		if f, b, err = next(b); err != nil {
			return nil, err
		}
		if f.num < 1 || f.num > 8 {
			continue
		}
		if seen {
			return nil, errSlow
		}
		seen = true
		if v, err = in.oneValue(f, depth); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (in *interner) oneValue(f field, depth int) (any, error) {
	switch {
	case f.num == 1 && f.typ == protowire.BytesType:
		s, err := f.text()
		if err != nil {
			return nil, err
		}
		return in.value(s), nil
	case f.num == 2 && f.typ == protowire.VarintType:
		return f.num64 != 0, nil
	case f.num == 3 && f.typ == protowire.VarintType:
		return int64(f.num64), nil
	case f.num == 4 && f.typ == protowire.Fixed64Type:
		return math.Float64frombits(f.num64), nil
	case f.num == 5 && f.typ == protowire.BytesType:
		return in.array(f.bytes, depth)
	case f.num == 6 && f.typ == protowire.BytesType:
		return in.kvlist(f.bytes, depth)
	case f.num == 7 && f.typ == protowire.BytesType:
		return append([]byte{}, f.bytes...), nil
	default:
		return nil, errSlow
	}
}

func (in *interner) array(b []byte, depth int) (any, error) {
	vals := []any{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		if f.num != 1 {
			continue
		}
		if err := f.is(protowire.BytesType); err != nil {
			return nil, err
		}
		v, err := in.anyValue(f.bytes, depth+1)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

func (in *interner) kvlist(b []byte, depth int) (any, error) {
	attrs, err := in.repeatedKV(b, 1, depth+1)
	if err != nil {
		return nil, err
	}
	if attrs == nil {
		return map[string]any{}, nil
	}
	return map[string]any(attrs), nil
}

// fieldAt reads the field at the start of b, a message validate accepted:
// its number and wire type, its value when length-delimited, and its whole
// length. One call per field, with one-byte tags and lengths and fixed-size
// or one-byte values read inline, is what makes the passes over a request
// after validation cheap.
func fieldAt(b []byte) (num protowire.Number, typ protowire.Type, v []byte, n int) {
	if b[0] < 0x80 {
		num, typ, n = protowire.Number(b[0]>>3), protowire.Type(b[0]&7), 1
	} else {
		num, typ, n = protowire.ConsumeTag(b)
	}
	rest := b[n:]
	switch {
	case typ == protowire.BytesType && rest[0] < 0x80:
		return num, typ, rest[1 : 1+rest[0]], n + 1 + int(rest[0])
	case typ == protowire.BytesType:
		var m int
		v, m = protowire.ConsumeBytes(rest)
		return num, typ, v, n + m
	case typ == protowire.Fixed64Type:
		return num, typ, nil, n + 8
	case typ == protowire.Fixed32Type:
		return num, typ, nil, n + 4
	case typ == protowire.VarintType && rest[0] < 0x80:
		return num, typ, nil, n + 1
	}
	return num, typ, nil, n + protowire.ConsumeFieldValue(num, typ, rest)
}
