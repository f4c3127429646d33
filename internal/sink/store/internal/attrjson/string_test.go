package attrjson_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// TestStringsEncodeAsEncodingJSONDoes checks the direct path for plain
// strings against encoding/json, on plain strings and on every kind of
// character it escapes but NUL and \x01, which the stores escape first
// (TestNULRoundTripsThroughJSON).
func TestStringsEncodeAsEncodingJSONDoes(t *testing.T) {
	for _, s := range []string{
		"", "plain value-1", "http.method", " ~!#$%'()*+,-./09:;=?@AZ[]^_`az{|}", "quote\"", "back\\slash",
		"<html>", "a&b", "tab\t", "nl\n", "\x02\x1f\x7f", "é", "日本", "\u2028\u2029", "bad \xff utf-8",
	} {
		t.Run(s, func(t *testing.T) {
			got, err := attrjson.Marshal(store.Attributes{s: s})
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(map[string]string{s: s})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("(-encoding/json +attrjson):\n%s", d)
			}
		})
	}
}

// Strings holding NUL, which PostgreSQL cannot store, and \x01, the escape
// byte, come back exactly as they were written, in keys, values, lists and
// maps, and the JSON written holds no NUL.
func TestNULRoundTripsThroughJSON(t *testing.T) {
	attrs := store.Attributes{
		"a\x00b": "x\x00y", "soh": "\x01", "both": "\x00\x01\x010\x011", "plain": "v",
		"list": []any{"\x00", "\x01x"}, "map": map[string]any{"k\x01": "\x00\x00"},
	}
	j, err := attrjson.Marshal(attrs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), `\u0000`) {
		t.Fatalf("the JSON holds a NUL: %s", j)
	}
	got, err := attrjson.Unmarshal(j)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(attrs, got); d != "" {
		t.Errorf("(-written +read):\n%s", d)
	}
	for _, s := range []string{"", "a", "\x00", "\x01", "\x010", "\x011", "\x01\x01", "x\x00\x01y\x00"} {
		if got := attrjson.UnescapeNUL(attrjson.EscapeNUL(s)); got != s {
			t.Errorf("%q: round trip gave %q", s, got)
		}
		if strings.Contains(attrjson.EscapeNUL(s), "\x00") {
			t.Errorf("%q: escaped form holds a NUL", s)
		}
	}
}
