package otlpwire_test

import (
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
