package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

// dialect is how PostgreSQL spells the statements it shares with sqlite:
// numbered parameters, times as timestamptz, ids cast to the UUID columns
// they are compared with, and attribute filters as JSONB containment.
var dialect = sqlquery.Dialect{
	Param:     func(n int) string { return "$" + strconv.Itoa(n) },
	Time:      func(t time.Time) any { return t },
	ID:        func(param string) string { return param + "::uuid" },
	FirstID:   zeroUUID,
	Attribute: matchJSON,
	Text:      func(s string) any { return text(s) },
	Contains:  func(col, param string) string { return "strpos(" + col + ", " + param + ") > 0" },
}

// zeroUUID starts a page walk; the all-zero id itself is never a record,
// because the sink draws ids at random.
const zeroUUID = "00000000000000000000000000000000"

// matchJSON tests each typed value m allows with a containment (@>), which
// the GIN indexes answer; numbers then check the stored text for a decimal
// point, which attrjson writes on every float and jsonb keeps. attrjson
// escapes the key and the string as the stored JSON holds them.
func matchJSON(w *sqlquery.Where, col, key string, m attrjson.Match) string {
	contains := func(v any) string {
		j, _ := attrjson.Marshal(store.Attributes{key: v}) // Scalars always encode.
		return col + " @> " + w.Arg(string(j)) + "::jsonb"
	}
	alts := []string{contains(m.Text)}
	switch {
	case m.Bool != nil:
		alts = append(alts, contains(*m.Bool))
	case m.Int != nil && m.IntMatchesFloat:
		alts = append(alts, contains(*m.Int))
	case m.Int != nil:
		alts = append(alts, "("+contains(*m.Int)+" AND strpos("+col+" ->> "+w.Arg(text(key))+", '.') = 0)")
	case m.Float != nil:
		alts = append(alts, "("+contains(*m.Float)+" AND strpos("+col+" ->> "+w.Arg(text(key))+", '.') > 0)")
	}
	return strings.Join(alts, " OR ")
}
