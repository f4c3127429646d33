package sqlite

import (
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

// dialect is how SQLite spells the statements it shares with postgres:
// positional parameters, times as the INTEGER Unix nanoseconds the columns
// hold, ids as the text they are stored as (any of which sorts after ""),
// and attribute filters through json_each.
var dialect = sqlquery.Dialect{
	Param:     func(int) string { return "?" },
	Time:      func(t time.Time) any { return t.UnixNano() },
	ID:        func(param string) string { return param },
	FirstID:   "",
	Attribute: matchJSON,
	Text:      func(s string) any { return s },
	Contains:  func(col, param string) string { return "instr(" + col + ", " + param + ") > 0" },
}

// matchJSON looks the key up with json_each, whose type column tells
// integers from reals and booleans from numbers. Keys and strings are
// compared as the JSON columns keep them (attrjson.EscapeNUL); SQLite's
// text columns keep NUL as it is.
func matchJSON(w *sqlquery.Where, col, key string, m attrjson.Match) string {
	cond := "EXISTS (SELECT 1 FROM json_each(" + col + ") AS j WHERE j.key = " + w.Arg(attrjson.EscapeNUL(key)) + " AND ("
	alts := []string{"(j.type = 'text' AND j.atom = " + w.Arg(attrjson.EscapeNUL(m.Text)) + ")"}
	switch {
	case m.Bool != nil && *m.Bool:
		alts = append(alts, "j.type = 'true'")
	case m.Bool != nil:
		alts = append(alts, "j.type = 'false'")
	case m.Int != nil:
		alts = append(alts, "(j.type = 'integer' AND j.atom = "+w.Arg(*m.Int)+")")
		if m.IntMatchesFloat {
			alts = append(alts, "(j.type = 'real' AND j.atom = "+w.Arg(float64(*m.Int))+")")
		}
	case m.Float != nil:
		alts = append(alts, "(j.type = 'real' AND j.atom = "+w.Arg(*m.Float)+")")
	}
	return cond + strings.Join(alts, " OR ") + "))"
}
