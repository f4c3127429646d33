package attrjson_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

func TestTypesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in, want store.Attributes
	}{
		{"nil", nil, nil},
		{"scalars", store.Attributes{"s": "x\"y", "b": false, "i": int64(-7), "f": 0.1},
			store.Attributes{"s": "x\"y", "b": false, "i": int64(-7), "f": 0.1}},
		{"integral and huge floats stay floats", store.Attributes{"a": 100.0, "b": 1e300, "c": math.Copysign(0, -1), "d": 5e-324},
			store.Attributes{"a": 100.0, "b": 1e300, "c": math.Copysign(0, -1), "d": 5e-324}},
		{"int64 extremes", store.Attributes{"max": int64(math.MaxInt64), "min": int64(math.MinInt64)},
			store.Attributes{"max": int64(math.MaxInt64), "min": int64(math.MinInt64)}},
		{"nested", store.Attributes{"l": []any{int64(1), 2.0, "x"}, "m": map[string]any{"k": []any{true}}},
			store.Attributes{"l": []any{int64(1), 2.0, "x"}, "m": map[string]any{"k": []any{true}}}},
		{"bytes become base64", store.Attributes{"b": []byte("hi")}, store.Attributes{"b": "aGk="}},
		{"non-finite floats become strings", store.Attributes{"n": math.NaN(), "p": math.Inf(1), "m": math.Inf(-1)},
			store.Attributes{"n": "NaN", "p": "+Inf", "m": "-Inf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := attrjson.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := attrjson.Unmarshal(j)
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", j, err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", j, d)
			}
		})
	}
}

func TestParseMatchAgreesWithAttributeText(t *testing.T) {
	for _, v := range []any{"x", true, false, int64(0), int64(-12), int64(999999), int64(1000000),
		0.5, 100.0, 999999.0, 1e6, 1e21, -2.5e-7, math.NaN()} {
		text, _ := store.AttributeText(v)
		m := attrjson.ParseMatch(text)
		matched := false
		switch x := v.(type) {
		case string:
			matched = m.Text == x
		case bool:
			matched = m.Bool != nil && *m.Bool == x
		case int64:
			matched = m.Int != nil && *m.Int == x
		case float64:
			matched = (m.Float != nil && *m.Float == x) ||
				(m.Int != nil && m.IntMatchesFloat && float64(*m.Int) == x) || m.Text == "NaN"
		}
		if !matched {
			t.Errorf("value %#v with text %q: ParseMatch gave %+v, which does not match it", v, text, m)
		}
	}
}
