package otlpwire_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// TestResourceKeysAgreeWithResourceKey runs the memo over maps that repeat,
// alternate, and differ only by identity or by content.
func TestResourceKeysAgreeWithResourceKey(t *testing.T) {
	a, b := store.Attributes{"service.name": "a"}, store.Attributes{"service.name": "b"}
	var keys otlpwire.ResourceKeys
	for i, r := range []store.Attributes{nil, a, a, b, a, {"service.name": "a"}, {}, nil, b} {
		if d := cmp.Diff(otlpwire.ResourceKey(r), keys.Of(r)); d != "" {
			t.Errorf("resource %d (-resourceKey +memo):\n%s", i, d)
		}
	}
}

// Resources holding NaN or infinities have keys of their own: they were
// all keyed "" once, and their records grouped under one resource.
func TestResourceKeysTellNonFiniteValuesApart(t *testing.T) {
	keys := map[string]bool{}
	for _, r := range []store.Attributes{{"v": math.NaN()}, {"v": math.Inf(1)}, {"v": "NaN"}, {"v": 1.0}, {"w": math.NaN()}} {
		k := otlpwire.ResourceKey(r)
		if keys[k] {
			t.Errorf("resource %v shares its key %q with another", r, k)
		}
		keys[k] = true
	}
}
