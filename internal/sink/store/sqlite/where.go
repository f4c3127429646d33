package sqlite

import (
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// where builds a WHERE clause and its arguments from a query's filters.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// eq filters on col = v when v is set.
func (w *where) eq(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

// between bounds an integer nanosecond column: From inclusive, To exclusive.
func (w *where) between(col string, r store.TimeRange) {
	if !r.From.IsZero() {
		w.add(col+" >= ?", r.From.UnixNano())
	}
	if !r.To.IsZero() {
		w.add(col+" < ?", r.To.UnixNano())
	}
}

// attributes requires, for every key, that one of the JSON columns holds a
// value whose text is the filter's value (see attrjson.Match).
func (w *where) attributes(f store.AttributeFilter, cols ...string) {
	for key, text := range f {
		m := attrjson.ParseMatch(text)
		alts := make([]string, 0, len(cols))
		for _, col := range cols {
			cond, args := matchJSON(col, key, m)
			alts = append(alts, cond)
			w.args = append(w.args, args...)
		}
		w.conds = append(w.conds, "("+strings.Join(alts, " OR ")+")")
	}
}

// matchJSON looks the key up with json_each, whose type column tells
// integers from reals and booleans from numbers.
func matchJSON(col, key string, m attrjson.Match) (string, []any) {
	alts := []string{"(j.type = 'text' AND j.atom = ?)"}
	args := []any{key, m.Text}
	switch {
	case m.Bool != nil && *m.Bool:
		alts = append(alts, "j.type = 'true'")
	case m.Bool != nil:
		alts = append(alts, "j.type = 'false'")
	case m.Int != nil:
		alts = append(alts, "(j.type = 'integer' AND j.atom = ?)")
		args = append(args, *m.Int)
		if m.IntMatchesFloat {
			alts = append(alts, "(j.type = 'real' AND j.atom = ?)")
			args = append(args, float64(*m.Int))
		}
	case m.Float != nil:
		alts = append(alts, "(j.type = 'real' AND j.atom = ?)")
		args = append(args, *m.Float)
	}
	return "EXISTS (SELECT 1 FROM json_each(" + col + ") AS j WHERE j.key = ? AND (" +
		strings.Join(alts, " OR ") + "))", args
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
