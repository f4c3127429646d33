// Package convert turns OTLP export requests into the store's records. It
// applies the sink's policy on the way: trace sampling, the per-signal
// switches, and the backend's metadata stamped into every record's resource.
// Record ids are assigned here, at receipt, so a retried store write of the
// same batch never duplicates a record.
package convert

import (
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Attribute keys with a meaning to the sink.
const (
	AttrEventName = "event.name"
	AttrEventType = "event.type"
)

// Signals say which kinds of records the sink keeps.
type Signals struct {
	Traces  bool
	Events  bool
	Metrics bool
}

// Converter maps OTLP requests to store batches. It is safe for concurrent
// use once built.
type Converter struct {
	Sampler  sampler.Sampler
	Signals  Signals
	Metadata map[string]string
	// Telemetry counts what was received, sampled out and dropped; required.
	Telemetry *sinkmetrics.Metrics
	// Encoded hands trace requests over in their encoding (TracesEncoded)
	// rather than as records, where CanEncodeTraces allows: for stores
	// that pass requests on (store.EncodedWriter).
	Encoded bool
	// Heads fills Encoded.Heads and Encoded.Resources, for stores that
	// index the spans of the requests they keep (store.SpanHeadReader).
	Heads bool
}

// newID returns a random 128-bit id as 32 hex digits. math/rand/v2's global
// source is ChaCha8 seeded from the OS, so ids do not collide in practice and
// cost no system call.
func newID() string {
	var b [16]byte
	lo, hi := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}

// traceID decodes an OTLP trace id; ok is false unless it is 16 bytes and
// not all zero, as the W3C trace context requires.
func traceID(b []byte) (id [16]byte, ok bool) {
	if len(b) != 16 {
		return id, false
	}
	copy(id[:], b)
	return id, id != [16]byte{}
}

// spanID renders an 8-byte span id; empty when absent or all zero.
func spanID(b []byte) string {
	if !validSpanID(b) {
		return ""
	}
	return hex.EncodeToString(b)
}

// validSpanID reports whether b is a span id: 8 bytes, not all zero.
func validSpanID(b []byte) bool { return len(b) == 8 && [8]byte(b) != [8]byte{} }

func timestamp(ns uint64) time.Time {
	return time.Unix(0, int64(ns)).UTC()
}

// resource decodes resource attributes and stamps the metadata in, never
// overriding a key the resource already carries.
func (c *Converter) resource(r *resourcepb.Resource) store.Attributes {
	return c.stamp(attributes(r.GetAttributes()))
}

// stamp adds the metadata to decoded resource attributes.
func (c *Converter) stamp(attrs store.Attributes) store.Attributes {
	for k, v := range c.Metadata {
		if attrs == nil {
			attrs = store.Attributes{}
		}
		if _, taken := attrs[k]; !taken {
			attrs[k] = v
		}
	}
	return attrs
}

// attributes decodes OTLP key-values; nil when there are none.
func attributes(kvs []*commonpb.KeyValue) store.Attributes {
	if len(kvs) == 0 {
		return nil
	}
	attrs := make(store.Attributes, len(kvs))
	for _, kv := range kvs {
		attrs[kv.GetKey()] = value(kv.GetValue())
	}
	return attrs
}

// value decodes one AnyValue to the JSON-compatible types of store.Attributes.
func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	case *commonpb.AnyValue_ArrayValue:
		vals := make([]any, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			vals = append(vals, value(e))
		}
		return vals
	case *commonpb.AnyValue_KvlistValue:
		m := make(map[string]any, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			m[kv.GetKey()] = value(kv.GetValue())
		}
		return m
	default:
		return nil
	}
}

// text renders an attribute value as store.AttributeFilter compares it.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return ""
	}
}

// eventType is the "event.type" attribute, else the fallback.
func eventType(attrs store.Attributes, fallback string) string {
	if t := text(attrs[AttrEventType]); t != "" {
		return t
	}
	return fallback
}
