// Package sqlquery holds what the SQL stores (sqlite, postgres) share of
// answering queries: the statements, built from a query's filters in a
// store's Dialect, and Queries, which runs them through functions the store
// gives it. A filter added to a query type is added here once, for both
// stores; each store keeps only what its engine spells differently.
package sqlquery

import (
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// Dialect is how one SQL engine spells what the shared statements need.
type Dialect struct {
	// Param is the placeholder of the nth parameter, counting from 1.
	Param func(n int) string
	// Time is the parameter that bounds a time column, in the column's type.
	Time func(time.Time) any
	// ID is how a parameter holding a record id is written, given its
	// placeholder, and FirstID the id that sorts before every stored one:
	// ReadAll starts its walk by primary key after it.
	ID      func(param string) string
	FirstID string
	// Attribute is the condition that the JSON column col holds key with a
	// value m matches; it adds its parameters with w.Arg, in the order its
	// placeholders appear.
	Attribute func(w *Where, col, key string, m attrjson.Match) string
	// Text is the parameter compared with a text column: the string as
	// the column keeps it (PostgreSQL's escape NUL, attrjson.EscapeNUL).
	Text func(string) any
	// Contains is the condition that the text column col contains the
	// string whose placeholder is param.
	Contains func(col, param string) string
}

// Where builds a statement's WHERE clause and collects the statement's
// parameters in the order their placeholders appear, so that positional
// ("?") and numbered ("$n") placeholders both come out right.
type Where struct {
	d     *Dialect
	conds []string
	args  []any
}

// Where starts an empty clause in the dialect.
func (d *Dialect) Where() *Where { return &Where{d: d} }

// Arg adds a parameter and returns its placeholder.
func (w *Where) Arg(v any) string {
	w.args = append(w.args, v)
	return w.d.Param(len(w.args))
}

// Add adds a condition whose parameters were added with Arg.
func (w *Where) Add(cond string) { w.conds = append(w.conds, cond) }

// Eq filters on the text column col = v when v is set.
func (w *Where) Eq(col, v string) {
	if v != "" {
		w.Add(col + " = " + w.Arg(w.d.Text(v)))
	}
}

// Between bounds a time column: From inclusive, To exclusive.
func (w *Where) Between(col string, r store.TimeRange) {
	if !r.From.IsZero() {
		w.Add(col + " >= " + w.Arg(w.d.Time(r.From)))
	}
	if !r.To.IsZero() {
		w.Add(col + " < " + w.Arg(w.d.Time(r.To)))
	}
}

// Attributes requires, for every key, that one of the JSON columns holds a
// value whose text is the filter's value (see attrjson.Match).
func (w *Where) Attributes(f store.AttributeFilter, cols ...string) {
	for key, text := range f {
		m := attrjson.ParseMatch(text)
		alts := make([]string, 0, len(cols))
		for _, col := range cols {
			alts = append(alts, w.d.Attribute(w, col, key, m))
		}
		w.Add("(" + strings.Join(alts, " OR ") + ")")
	}
}

// String is the clause, with its leading space, or "" without conditions.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Args are the parameters added so far, in placeholder order.
func (w *Where) Args() []any { return w.args }
