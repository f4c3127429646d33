package attrjson_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// TestMemoEncodesEachMapAsMarshal checks a Memo over a sequence that
// repeats maps, switches between different maps with equal or different
// contents, and passes nil and empty maps.
func TestMemoEncodesEachMapAsMarshal(t *testing.T) {
	a, b := store.Attributes{"k": "a"}, store.Attributes{"k": "b"}
	var m attrjson.Memo
	for i, attrs := range []store.Attributes{nil, a, a, b, a, {}, nil, b, b, {"k": "a"}} {
		got, err := m.String(attrs)
		if err != nil {
			t.Fatal(err)
		}
		want, err := attrjson.Marshal(attrs)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(want), got); d != "" {
			t.Errorf("map %d (-Marshal +Memo):\n%s", i, d)
		}
	}
}
