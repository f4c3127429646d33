package attrjson

import "strings"

// PostgreSQL's text and jsonb cannot hold the NUL character (SQLSTATE
// 22021 and 22P05), though OTLP strings may: a store that refused them
// would lose a record a sender was told was kept. So every string the SQL
// stores keep in a JSON column, and PostgreSQL's text columns, hold NUL
// escaped: NUL as \x01 '0' and \x01 itself as \x01 '1'. Strings without
// either byte, nearly all of them, are kept as they are, and reading a
// value back undoes the escape, so what was sent is what is returned.
const (
	nul = "\x00"
	soh = "\x01"
)

// EscapeNUL escapes s as the stores keep it.
func EscapeNUL(s string) string {
	if !strings.ContainsAny(s, nul+soh) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0:
			b.WriteString(soh + "0")
		case 1:
			b.WriteString(soh + "1")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// UnescapeNUL undoes EscapeNUL; a \x01 followed by anything else is kept
// as it is.
func UnescapeNUL(s string) string {
	if !strings.Contains(s, soh) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == 1 && i+1 < len(s) && (s[i+1] == '0' || s[i+1] == '1') {
			b.WriteByte(s[i+1] - '0')
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
