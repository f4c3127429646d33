package attrjson

import (
	"math"
	"strconv"
)

// Match lists the typed JSON values whose text (store.AttributeText) is
// Text, so that a SQL store compares stored JSON values with typed values
// instead of rendering text in SQL, and PostgreSQL can use its GIN indexes.
// Marshal writes every float with a decimal point, which tells a stored
// float from a stored integer.
type Match struct {
	// Text matches a JSON string.
	Text string
	// Bool, when set, matches that JSON boolean.
	Bool *bool
	// Int, when set, matches that JSON integer, and also the equal float
	// when IntMatchesFloat: Go renders an integral float like an integer
	// only below 1e6 in magnitude, so 100.0 reads "100" but 1e6 "1e+06".
	Int             *int64
	IntMatchesFloat bool
	// Float, when set, matches that JSON float (never an integer: an
	// integer's text has no point or exponent).
	Float *float64
}

// ParseMatch computes the typed values whose text is text.
func ParseMatch(text string) Match {
	m := Match{Text: text}
	switch text {
	case "true", "false":
		b := text == "true"
		m.Bool = &b
		return m
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil && strconv.FormatInt(i, 10) == text {
		m.Int, m.IntMatchesFloat = &i, i > -1e6 && i < 1e6
		return m
	}
	f, err := strconv.ParseFloat(text, 64)
	if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && strconv.FormatFloat(f, 'g', -1, 64) == text {
		m.Float = &f
	}
	return m
}
