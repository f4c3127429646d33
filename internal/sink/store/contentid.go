package store

import (
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/fnv"
	"math"
	"slices"
	"time"
)

// ContentID computes the id of a record from what it holds, so that the
// same record written twice (an exporter's retry of a request the sink had
// already stored) gets the same id and is stored once: stores keep records
// by id. Spans have OpenTelemetry's own ids; events, log records and metric
// points get these.
//
// The id is a 128-bit FNV-1a hash of a canonical encoding: every value
// with its type and length, attribute maps in key order, so that the same
// contents always hash alike, whatever order a map iterates in, and
// different contents almost never do (a collision among 2^64 records is as
// likely as not).
type ContentID struct {
	h   hash.Hash
	buf []byte
}

// NewContentID starts the id of a record of one kind ("event", "log",
// "metric"): kinds never share an id.
func NewContentID(kind string) *ContentID {
	c := &ContentID{h: fnv.New128a(), buf: make([]byte, 0, 64)}
	return c.String(kind)
}

// Type tags of the canonical encoding.
const (
	tagString byte = iota + 1
	tagInt
	tagFloat
	tagBool
	tagBytes
	tagList
	tagMap
	tagNil
	tagTime
)

func (c *ContentID) write(tag byte, b []byte) *ContentID {
	c.buf = append(c.buf[:0], tag)
	c.buf = binary.AppendUvarint(c.buf, uint64(len(b)))
	c.buf = append(c.buf, b...)
	_, _ = c.h.Write(c.buf)
	return c
}

// word adds a fixed-size value without allocating.
func (c *ContentID) word(tag byte, v uint64) *ContentID {
	c.buf = append(c.buf[:0], tag, 8)
	c.buf = binary.BigEndian.AppendUint64(c.buf, v)
	_, _ = c.h.Write(c.buf)
	return c
}

// String adds a string.
func (c *ContentID) String(s string) *ContentID {
	c.buf = append(c.buf[:0], tagString)
	c.buf = binary.AppendUvarint(c.buf, uint64(len(s)))
	c.buf = append(c.buf, s...)
	_, _ = c.h.Write(c.buf)
	return c
}

// Int adds an integer.
func (c *ContentID) Int(v int64) *ContentID { return c.word(tagInt, uint64(v)) }

// Float adds a float, by its bits (NaN payloads included).
func (c *ContentID) Float(v float64) *ContentID { return c.word(tagFloat, math.Float64bits(v)) }

// Time adds a time, to the nanosecond.
func (c *ContentID) Time(t time.Time) *ContentID { return c.word(tagTime, uint64(t.UnixNano())) }

// Attributes adds an attribute map, in key order.
func (c *ContentID) Attributes(a Attributes) *ContentID { return c.Value(map[string]any(a)) }

// Value adds any attribute value.
func (c *ContentID) Value(v any) *ContentID {
	switch x := v.(type) {
	case string:
		return c.String(x)
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		return c.write(tagBool, []byte{b})
	case int64:
		return c.Int(x)
	case int:
		return c.Int(int64(x))
	case float64:
		return c.Float(x)
	case []byte:
		return c.write(tagBytes, x)
	case []any:
		c.word(tagList, uint64(len(x)))
		for _, e := range x {
			c.Value(e)
		}
		return c
	case Attributes:
		return c.Value(map[string]any(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c.word(tagMap, uint64(len(x)))
		for _, k := range keys {
			c.String(k).Value(x[k])
		}
		return c
	default:
		return c.write(tagNil, nil)
	}
}

// Sum is the id: 32 lowercase hex digits.
func (c *ContentID) Sum() string { return hex.EncodeToString(c.h.Sum(nil)) }
