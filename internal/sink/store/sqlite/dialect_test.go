package sqlite

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// statement is a statement's text and parameters, as a test compares them.
type statement struct {
	SQL  string
	Args []any
}

func statementOf(sql string, args []any) statement { return statement{sql, args} }

// The statements are those the store was tuned with (see plan_test.go):
// their text and parameters, placeholder by placeholder, for each kind of
// filter and attribute value.
func TestStatementsKeepTheTextTheStoreWasTunedWith(t *testing.T) {
	at := time.Unix(1_700_000_040, 0)
	r := store.TimeRange{From: at.Add(-time.Hour), To: at.Add(time.Hour)}
	from, to := r.From.UnixNano(), r.To.UnixNano()
	tid := "00000000000000000000000000000001"
	exists := func(col, alts string) string {
		return "EXISTS (SELECT 1 FROM json_each(" + col + ") AS j WHERE j.key = ? AND " +
			"((j.type = 'text' AND j.atom = ?)" + alts + "))"
	}
	intAlts := " OR (j.type = 'integer' AND j.atom = ?) OR (j.type = 'real' AND j.atom = ?)"
	floatAlts := " OR (j.type = 'real' AND j.atom = ?)"
	points := dialect.Where().AggregateQuery(store.AggregateQuery{Name: "m", Attributes: store.AttributeFilter{"k": "true"}})
	for _, tc := range []struct {
		name      string
		got, want statement
	}{
		{"traces by every filter and a text attribute",
			statementOf(dialect.ListTraces("c", store.TraceQuery{Limit: 5, Status: "completed", Name: "n", Time: r,
				Attributes: store.AttributeFilter{"k": "abc"}})),
			statement{"SELECT c FROM traces WHERE status = ? AND name = ? AND start_time >= ? AND start_time < ? AND (" +
				exists("attributes", "") + ") ORDER BY start_time DESC, trace_id LIMIT ?",
				[]any{"completed", "n", from, to, "k", "abc", 5}}},
		{"spans by every filter and an integer attribute",
			statementOf(dialect.ListSpans("c", store.SpanQuery{Limit: 50000, TraceID: tid, Name: "n", Time: r,
				Attributes: store.AttributeFilter{"k": "42"}})),
			statement{"SELECT c FROM spans WHERE trace_id = ? AND name = ? AND start_time >= ? AND start_time < ? AND (" +
				exists("attributes", intAlts) + " OR " + exists("resource", intAlts) + ") ORDER BY start_time DESC, span_id LIMIT ?",
				[]any{tid, "n", from, to, "k", "42", int64(42), float64(42), "k", "42", int64(42), float64(42), 10000}}},
		{"events by every filter",
			statementOf(dialect.ListEvents("c", store.EventQuery{Limit: 7, TraceID: tid, Type: "log", Name: "e", Time: r})),
			statement{"SELECT c FROM events WHERE trace_id = ? AND type = ? AND name = ? AND timestamp >= ? AND timestamp < ? " +
				"ORDER BY timestamp DESC, event_id LIMIT ?", []any{tid, "log", "e", from, to, 7}}},
		{"metrics by a float attribute",
			statementOf(dialect.ListMetrics("c", store.MetricQuery{Name: "m", Time: r, Attributes: store.AttributeFilter{"k": "1.5"}})),
			statement{"SELECT c FROM metrics WHERE name = ? AND timestamp >= ? AND timestamp < ? AND (" +
				exists("attributes", floatAlts) + " OR " + exists("resource", floatAlts) + ") ORDER BY timestamp DESC, metric_id LIMIT ?",
				[]any{"m", from, to, "k", "1.5", 1.5, "k", "1.5", 1.5, 100}}},
		{"all traces", statementOf(dialect.ListTraces("c", store.TraceQuery{})),
			statement{"SELECT c FROM traces ORDER BY start_time DESC, trace_id LIMIT ?", []any{100}}},
		{"the points of an aggregation by a boolean attribute", statementOf(points.String(), points.Args()),
			statement{" WHERE name = ? AND (" + exists("attributes", " OR j.type = 'true'") + " OR " +
				exists("resource", " OR j.type = 'true'") + ")", []any{"m", "k", "true", "k", "true"}}},
	} {
		if d := cmp.Diff(tc.want, tc.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
