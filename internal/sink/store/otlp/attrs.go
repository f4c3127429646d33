package otlp

import (
	"encoding/hex"
	"fmt"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// sortedKeys gives attributes a stable order, so exports are reproducible.
func sortedKeys(a store.Attributes) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func otelAttrs(a store.Attributes) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, len(a))
	for _, k := range sortedKeys(a) {
		kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(k), Value: otelValue(a[k])})
	}
	return kvs
}

func otelValue(v any) attribute.Value {
	switch x := v.(type) {
	case string:
		return attribute.StringValue(x)
	case bool:
		return attribute.BoolValue(x)
	case int64:
		return attribute.Int64Value(x)
	case int:
		return attribute.IntValue(x)
	case float64:
		return attribute.Float64Value(x)
	case []byte:
		return attribute.ByteSliceValue(x)
	case []any:
		vals := make([]attribute.Value, 0, len(x))
		for _, e := range x {
			vals = append(vals, otelValue(e))
		}
		return attribute.SliceValue(vals...)
	case map[string]any:
		return attribute.MapValue(otelAttrs(x)...)
	default:
		return attribute.StringValue(fmt.Sprint(x))
	}
}

func otelResource(a store.Attributes) *resource.Resource {
	return resource.NewSchemaless(otelAttrs(a)...)
}

// validate refuses ids the OTLP wire format cannot carry.
func validate(b *store.Batch) error {
	for _, s := range b.Spans {
		if !isHex(s.TraceID, 16) || !isHex(s.SpanID, 8) || (s.ParentSpanID != "" && !isHex(s.ParentSpanID, 8)) {
			return fmt.Errorf("%w: span %q of trace %q: ids must be 32 and 16 hex digits", store.ErrInvalid, s.SpanID, s.TraceID)
		}
	}
	for _, e := range b.Events {
		if (e.TraceID != "" && !isHex(e.TraceID, 16)) || (e.SpanID != "" && !isHex(e.SpanID, 8)) {
			return fmt.Errorf("%w: event %q: trace and span ids must be 32 and 16 hex digits", store.ErrInvalid, e.EventID)
		}
	}
	for _, m := range b.Metrics {
		if m.TraceID != "" && !isHex(m.TraceID, 16) {
			return fmt.Errorf("%w: metric %q: trace id must be 32 hex digits", store.ErrInvalid, m.MetricID)
		}
	}
	for _, l := range b.Logs {
		if (l.TraceID != "" && !isHex(l.TraceID, 16)) || (l.SpanID != "" && !isHex(l.SpanID, 8)) {
			return fmt.Errorf("%w: log record %q: trace and span ids must be 32 and 16 hex digits", store.ErrInvalid, l.LogID)
		}
	}
	return nil
}

func isHex(s string, size int) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == size
}

// mustHex decodes an id validate has checked.
func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
