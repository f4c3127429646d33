package postgres

import (
	"strconv"
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = "+w.arg(v))
	}
}

// between bounds a time column: From inclusive, To exclusive.
func (w *where) between(col string, r store.TimeRange) {
	if !r.From.IsZero() {
		w.conds = append(w.conds, col+" >= "+w.arg(r.From))
	}
	if !r.To.IsZero() {
		w.conds = append(w.conds, col+" < "+w.arg(r.To))
	}
}

// attributes requires, for every key, that one of the JSONB columns holds
// a value whose text is the filter's value (see attrjson.Match). Each test
// is a containment (@>), which the GIN indexes answer; numbers then check
// the stored text for a decimal point, which attrjson writes on every float
// and jsonb keeps.
func (w *where) attributes(f store.AttributeFilter, cols ...string) {
	for key, text := range f {
		m := attrjson.ParseMatch(text)
		alts := make([]string, 0, 2*len(cols))
		for _, col := range cols {
			alts = append(alts, w.matchJSON(col, key, m)...)
		}
		w.conds = append(w.conds, "("+strings.Join(alts, " OR ")+")")
	}
}

func (w *where) matchJSON(col, key string, m attrjson.Match) []string {
	contains := func(v any) string {
		j, _ := attrjson.Marshal(store.Attributes{key: v}) // Scalars always encode.
		return col + " @> " + w.arg(string(j)) + "::jsonb"
	}
	alts := []string{contains(m.Text)}
	switch {
	case m.Bool != nil:
		alts = append(alts, contains(*m.Bool))
	case m.Int != nil && m.IntMatchesFloat:
		alts = append(alts, contains(*m.Int))
	case m.Int != nil:
		alts = append(alts, "("+contains(*m.Int)+" AND strpos("+col+" ->> "+w.arg(key)+", '.') = 0)")
	case m.Float != nil:
		alts = append(alts, "("+contains(*m.Float)+" AND strpos("+col+" ->> "+w.arg(key)+", '.') > 0)")
	}
	return alts
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
