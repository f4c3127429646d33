// Package attrjson encodes attributes as JSON that keeps their Go types, for
// the stores that keep attributes in JSON columns (sqlite, postgres).
//
// Plain encoding/json writes the float 100.0 as 100, which reads back as an
// integer; here floats always carry a decimal point, so integers and floats
// round-trip as themselves. PostgreSQL's jsonb keeps the point too (numeric
// keeps its scale). Floats are written without an exponent because jsonb
// would drop a point that only an exponent made unnecessary.
package attrjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Marshal encodes attributes; nil encodes as {} so that columns are never
// NULL and filters need no NULL case. Strings are escaped (EscapeNUL).
func Marshal(a store.Attributes) ([]byte, error) {
	var b bytes.Buffer
	if err := writeMap(&b, a); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeMap(b *bytes.Buffer, m map[string]any) error {
	b.WriteByte('{')
	first := true
	for k, v := range m {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, k)
		b.WriteByte(':')
		if err := writeValue(b, v); err != nil {
			return fmt.Errorf("attribute %q: %w", k, err)
		}
	}
	b.WriteByte('}')
	return nil
}

func writeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case string:
		writeString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		writeFloat(b, x)
	case []byte:
		writeString(b, base64.StdEncoding.EncodeToString(x))
	case []any:
		return writeList(b, x)
	case map[string]any:
		return writeMap(b, x)
	case store.Attributes:
		return writeMap(b, x)
	default:
		// Other types (nil, int32, float32...) are not produced by the sink;
		// encoding/json writes them as well as anything can.
		j, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(j)
	}
	return nil
}

func writeList(b *bytes.Buffer, l []any) error {
	b.WriteByte('[')
	for i, v := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeValue(b, v); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// writeString writes s as encoding/json does. Most attribute strings need no
// escaping, and writing those directly saves an allocation and most of the
// encoding cost; any other string goes through encoding/json.
func writeString(b *bytes.Buffer, s string) {
	if !plain(s) {
		j, _ := json.Marshal(EscapeNUL(s)) // A string always encodes.
		b.Write(j)
		return
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// plain reports whether encoding/json writes s unchanged between quotes:
// printable ASCII without the characters it escapes (quote, backslash, and
// the HTML-sensitive <, > and &).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// writeFloat writes NaN and the infinities as strings, since JSON has no
// such numbers, and other floats with a decimal point and no exponent.
func writeFloat(b *bytes.Buffer, f float64) {
	switch {
	case math.IsNaN(f):
		b.WriteString(`"NaN"`)
	case math.IsInf(f, 1):
		b.WriteString(`"+Inf"`)
	case math.IsInf(f, -1):
		b.WriteString(`"-Inf"`)
	default:
		s := strconv.FormatFloat(f, 'f', -1, 64)
		b.WriteString(s)
		if !strings.Contains(s, ".") {
			b.WriteString(".0")
		}
	}
}

// Unmarshal decodes what Marshal wrote: numbers with a point or an exponent
// become float64, other numbers int64 (float64 past int64's range), and
// strings unescaped (UnescapeNUL).
func Unmarshal(data []byte) (store.Attributes, error) {
	if len(data) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("attributes: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	for k, v := range m {
		m[k] = convert(v)
	}
	if bytes.Contains(data, []byte(`\u0001`)) {
		return unescapeMap(m), nil
	}
	return m, nil
}

// unescapeMap undoes EscapeNUL in every key and string of a decoded map.
func unescapeMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[UnescapeNUL(k)] = unescapeValue(v)
	}
	return out
}

func unescapeValue(v any) any {
	switch x := v.(type) {
	case string:
		return UnescapeNUL(x)
	case []any:
		for i := range x {
			x[i] = unescapeValue(x[i])
		}
	case map[string]any:
		return unescapeMap(x)
	}
	return v
}

func convert(v any) any {
	switch x := v.(type) {
	case json.Number:
		return number(string(x))
	case []any:
		for i := range x {
			x[i] = convert(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = convert(x[k])
		}
	}
	return v
}

func number(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64) // json already checked the syntax.
	return f
}
