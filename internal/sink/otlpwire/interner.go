package otlpwire

import (
	"math"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// maxDepth bounds nested attribute values, well below protobuf's own limit,
// so that the fast decoder never accepts what protobuf would refuse.
const maxDepth = 64

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
func (in *interner) addKV(f Field, depth int) error {
	if err := is(f, protowire.BytesType); err != nil {
		return err
	}
	k, v, err := in.keyValue(f.Bytes, depth)
	if err != nil {
		return err
	}
	in.kvs = append(in.kvs, kv{k, v})
	return nil
}

// attrs moves the scratch attributes from index from on into a map;
// nil when there are none.
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

// reset drops the scratch attributes of a decoding given up.
func (in *interner) reset() {
	clear(in.kvs)
	in.kvs = in.kvs[:0]
}

// repeatedKV decodes a message whose field num holds KeyValues.
func (in *interner) repeatedKV(b []byte, num protowire.Number, depth int) (store.Attributes, error) {
	from := len(in.kvs)
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			in.kvs = in.kvs[:from]
			return nil, errSlow
		}
		b = b[n:]
		if f.Num != num {
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
		f, n := Next(b)
		if n < 0 {
			return "", nil, errSlow
		}
		b = b[n:]
		switch f.Num {
		case KeyValueKey:
			k, err := text(f)
			if err != nil {
				return "", nil, err
			}
			key = in.str(k)
		case KeyValueValue:
			if seen || f.Type != protowire.BytesType {
				return "", nil, errSlow
			}
			seen = true
			if v, err = in.anyValue(f.Bytes, depth+1); err != nil {
				return "", nil, err
			}
		case KeyValueKeyStrindex:
			if err := is(f, protowire.VarintType); err != nil {
				return "", nil, err
			}
		}
	}
	return key, v, nil
}

// anyValue decodes an AnyValue as Value does. A value with more than one
// field set is left to protobuf, which merges or replaces them.
func (in *interner) anyValue(b []byte, depth int) (v any, err error) {
	if depth > maxDepth {
		return nil, errSlow
	}
	seen := false
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return nil, errSlow
		}
		b = b[n:]
		if f.Num < AnyString || f.Num > AnyStringStrindex {
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

func (in *interner) oneValue(f Field, depth int) (any, error) {
	switch {
	case f.Num == AnyString && f.Type == protowire.BytesType:
		s, err := text(f)
		if err != nil {
			return nil, err
		}
		return in.value(s), nil
	case f.Num == AnyBool && f.Type == protowire.VarintType:
		return f.Value != 0, nil
	case f.Num == AnyInt && f.Type == protowire.VarintType:
		return int64(f.Value), nil
	case f.Num == AnyDouble && f.Type == protowire.Fixed64Type:
		return math.Float64frombits(f.Value), nil
	case f.Num == AnyArray && f.Type == protowire.BytesType:
		return in.array(f.Bytes, depth)
	case f.Num == AnyKVList && f.Type == protowire.BytesType:
		return in.kvlist(f.Bytes, depth)
	case f.Num == AnyBytes && f.Type == protowire.BytesType:
		return append([]byte{}, f.Bytes...), nil
	default:
		return nil, errSlow
	}
}

func (in *interner) array(b []byte, depth int) (any, error) {
	vals := []any{}
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return nil, errSlow
		}
		b = b[n:]
		if f.Num != ArrayValues {
			continue
		}
		if err := is(f, protowire.BytesType); err != nil {
			return nil, err
		}
		v, err := in.anyValue(f.Bytes, depth+1)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

func (in *interner) kvlist(b []byte, depth int) (any, error) {
	attrs, err := in.repeatedKV(b, KVListValues, depth+1)
	if err != nil {
		return nil, err
	}
	if attrs == nil {
		return map[string]any{}, nil
	}
	return map[string]any(attrs), nil
}
