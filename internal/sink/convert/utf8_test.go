package convert_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
)

// The validator's UTF-8 check skips utf8.Valid for short ASCII strings; it
// must answer as utf8.Valid does for every string, short or long, at the
// length where it switches and with a bad byte anywhere.
func TestValidUTF8AnswersAsUTF8Valid(t *testing.T) {
	var cases []string
	for n := 0; n <= 18; n++ {
		ascii := strings.Repeat("a", n)
		cases = append(cases, ascii)
		for i := 0; i < n; i++ {
			for _, bad := range []string{"\xff", "\xc3", "\x80", "é", "€"} {
				cases = append(cases, ascii[:i]+bad+ascii[i+1:])
			}
		}
	}
	cases = append(cases, "\xed\xa0\x80", "\xf4\x90\x80\x80", "αβγ", strings.Repeat("é", 20)+"\xff")
	for _, c := range cases {
		if got, want := convert.ValidUTF8([]byte(c)), utf8.ValidString(c); got != want {
			t.Errorf("%q (%d bytes): %v, utf8.Valid says %v", c, len(c), got, want)
		}
	}
}
