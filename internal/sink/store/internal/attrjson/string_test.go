package attrjson_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// TestStringsEncodeAsEncodingJSONDoes checks the direct path for plain
// strings against encoding/json, on plain strings and on every kind of
// character it escapes.
func TestStringsEncodeAsEncodingJSONDoes(t *testing.T) {
	for _, s := range []string{
		"", "plain value-1", "http.method", " ~!#$%'()*+,-./09:;=?@AZ[]^_`az{|}", "quote\"", "back\\slash",
		"<html>", "a&b", "tab\t", "nl\n", "\x00\x1f\x7f", "é", "日本", "\u2028\u2029", "bad \xff utf-8",
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
