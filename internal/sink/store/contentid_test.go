package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The same contents give the same id whatever order their maps iterate in;
// any difference of value, type, key or kind gives another.
func TestContentIDsFollowTheContents(t *testing.T) {
	t0 := time.Unix(1, 2)
	id := func(kind string, attrs store.Attributes, v float64) string {
		return store.NewContentID(kind).String("name").Time(t0).Float(v).Attributes(attrs).Sum()
	}
	base := store.Attributes{"a": "x", "b": int64(1), "c": []any{1.5, true}, "d": map[string]any{"k": "v", "l": nil}}
	same := store.Attributes{"d": map[string]any{"l": nil, "k": "v"}, "c": []any{1.5, true}, "b": int64(1), "a": "x"}
	if id("event", base, 1) != id("event", same, 1) {
		t.Fatal("the same attributes in another map order gave another id")
	}
	if len(id("event", base, 1)) != 32 {
		t.Fatalf("id %q is not 32 hex digits", id("event", base, 1))
	}
	seen := map[string]string{}
	for name, attrs := range map[string]store.Attributes{
		"base": base, "string for int": {"a": "x", "b": "1", "c": []any{1.5, true}, "d": map[string]any{"k": "v", "l": nil}},
		"float for int":        {"a": "x", "b": 1.0, "c": []any{1.5, true}, "d": map[string]any{"k": "v", "l": nil}},
		"key moved into value": {"a": "xb", "c": []any{1.5, true}, "d": map[string]any{"k": "v", "l": nil}},
		"nil":                  nil, "one more key": {"a": "x", "b": int64(1), "c": []any{1.5, true}, "d": map[string]any{"k": "v", "l": nil}, "e": false},
	} {
		got := id("event", attrs, 1)
		if other, dup := seen[got]; dup {
			t.Errorf("%s and %s share the id %s", name, other, got)
		}
		seen[got] = name
	}
	if id("event", base, 1) == id("metric", base, 1) || id("event", base, 1) == id("event", base, 2) {
		t.Error("another kind or value gave the same id")
	}
	if id("event", nil, math.NaN()) != id("event", store.Attributes{}, math.NaN()) {
		t.Error("nil and empty attributes, which stores keep alike, gave other ids")
	}
}
