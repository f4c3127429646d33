// Package sqlquerytest checks a SQL store's sqlquery.Dialect: the
// statements that the shared filters build in it, one for each kind of
// filter and attribute value, against the text and parameters the store
// expects. A filter added to sqlquery adds a statement here, which each
// store's test then spells out in its own dialect.
package sqlquerytest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

// From and To bound the time range of the checked queries.
var (
	From = time.Unix(1_699_996_440, 0)
	To   = time.Unix(1_700_003_640, 0)
)

// TraceID is the trace id the checked queries filter on.
const TraceID = "00000000000000000000000000000001"

// Statements are what a dialect builds, reading the columns "c", for each
// checked query.
type Statements struct {
	// TracesByEveryFilter: limit 5, status "completed", name "n", the time
	// range, and k = "abc", a text.
	TracesByEveryFilter sqlquery.Statement
	// SpansByEveryFilter: limit 50000 (above the maximum), TraceID, name
	// "n", the time range, and k = "42", an integer that a float may equal.
	SpansByEveryFilter sqlquery.Statement
	// SpansByLargeInteger: k = "1000000", an integer that no float's text
	// equals.
	SpansByLargeInteger sqlquery.Statement
	// EventsByEveryFilter: limit 7, TraceID, type "log", name "e" and the
	// time range.
	EventsByEveryFilter sqlquery.Statement
	// MetricsByFloat: name "m" and k = "1.5".
	MetricsByFloat sqlquery.Statement
	// AllTraces: no filter.
	AllTraces sqlquery.Statement
	// PointsByBoolean: the WHERE clause of an aggregation of "m" with
	// k = "true".
	PointsByBoolean sqlquery.Statement
}

// Check compares the statements that d builds with want.
func Check(t *testing.T, d *sqlquery.Dialect, want Statements) {
	t.Helper()
	r := store.TimeRange{From: From, To: To}
	attr := func(v string) store.AttributeFilter { return store.AttributeFilter{"k": v} }
	points := d.Where().AggregateQuery(store.AggregateQuery{Name: "m", Attributes: attr("true")})
	got := Statements{
		TracesByEveryFilter: d.ListTraces("c", store.TraceQuery{Limit: 5, Status: "completed", Name: "n", Time: r,
			Attributes: attr("abc")}),
		SpansByEveryFilter: d.ListSpans("c", store.SpanQuery{Limit: 50000, TraceID: TraceID, Name: "n", Time: r,
			Attributes: attr("42")}),
		SpansByLargeInteger: d.ListSpans("c", store.SpanQuery{Attributes: attr("1000000")}),
		EventsByEveryFilter: d.ListEvents("c", store.EventQuery{Limit: 7, TraceID: TraceID, Type: "log", Name: "e", Time: r}),
		MetricsByFloat:      d.ListMetrics("c", store.MetricQuery{Name: "m", Attributes: attr("1.5")}),
		AllTraces:           d.ListTraces("c", store.TraceQuery{}),
		PointsByBoolean:     sqlquery.Statement{SQL: points.String(), Args: points.Args()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
}
