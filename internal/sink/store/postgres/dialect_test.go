package postgres

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

// The statements are those the GIN indexes were chosen for (see
// upgrade_gin_test.go): their text and parameters, placeholder by
// placeholder, for each kind of filter and attribute value.
func TestStatementsKeepTheTextTheIndexesWereChosenFor(t *testing.T) {
	at := time.Unix(1_700_000_040, 0)
	r := store.TimeRange{From: at.Add(-time.Hour), To: at.Add(time.Hour)}
	tid := "00000000000000000000000000000001"
	points := dialect.Where().AggregateQuery(store.AggregateQuery{Name: "m", Attributes: store.AttributeFilter{"k": "true"}})
	for _, tc := range []struct {
		name      string
		got, want statement
	}{
		{"traces by every filter and a text attribute",
			statementOf(dialect.ListTraces("c", store.TraceQuery{Limit: 5, Status: "completed", Name: "n", Time: r,
				Attributes: store.AttributeFilter{"k": "abc"}})),
			statement{"SELECT c FROM traces WHERE status = $1 AND name = $2 AND start_time >= $3 AND start_time < $4 AND " +
				"(attributes @> $5::jsonb) ORDER BY start_time DESC, trace_id LIMIT $6",
				[]any{"completed", "n", r.From, r.To, `{"k":"abc"}`, 5}}},
		{"spans by every filter and an integer attribute that a float may equal",
			statementOf(dialect.ListSpans("c", store.SpanQuery{Limit: 50000, TraceID: tid, Name: "n", Time: r,
				Attributes: store.AttributeFilter{"k": "42"}})),
			statement{"SELECT c FROM spans WHERE trace_id = $1 AND name = $2 AND start_time >= $3 AND start_time < $4 AND " +
				"(attributes @> $5::jsonb OR attributes @> $6::jsonb OR resource @> $7::jsonb OR resource @> $8::jsonb) " +
				"ORDER BY start_time DESC, span_id LIMIT $9",
				[]any{tid, "n", r.From, r.To, `{"k":"42"}`, `{"k":42}`, `{"k":"42"}`, `{"k":42}`, 10000}}},
		{"spans by an integer attribute that no float equals",
			statementOf(dialect.ListSpans("c", store.SpanQuery{Attributes: store.AttributeFilter{"k": "1000000"}})),
			statement{"SELECT c FROM spans WHERE (attributes @> $1::jsonb OR (attributes @> $2::jsonb AND " +
				"strpos(attributes ->> $3, '.') = 0) OR resource @> $4::jsonb OR (resource @> $5::jsonb AND " +
				"strpos(resource ->> $6, '.') = 0)) ORDER BY start_time DESC, span_id LIMIT $7",
				[]any{`{"k":"1000000"}`, `{"k":1000000}`, "k", `{"k":"1000000"}`, `{"k":1000000}`, "k", 100}}},
		{"events by every filter",
			statementOf(dialect.ListEvents("c", store.EventQuery{Limit: 7, TraceID: tid, Type: "log", Name: "e", Time: r})),
			statement{"SELECT c FROM events WHERE trace_id = $1 AND type = $2 AND name = $3 AND timestamp >= $4 AND " +
				"timestamp < $5 ORDER BY timestamp DESC, event_id LIMIT $6", []any{tid, "log", "e", r.From, r.To, 7}}},
		{"metrics by a float attribute",
			statementOf(dialect.ListMetrics("c", store.MetricQuery{Name: "m", Attributes: store.AttributeFilter{"k": "1.5"}})),
			statement{"SELECT c FROM metrics WHERE name = $1 AND (attributes @> $2::jsonb OR (attributes @> $3::jsonb AND " +
				"strpos(attributes ->> $4, '.') > 0) OR resource @> $5::jsonb OR (resource @> $6::jsonb AND " +
				"strpos(resource ->> $7, '.') > 0)) ORDER BY timestamp DESC, metric_id LIMIT $8",
				[]any{"m", `{"k":"1.5"}`, `{"k":1.5}`, "k", `{"k":"1.5"}`, `{"k":1.5}`, "k", 100}}},
		{"all traces", statementOf(dialect.ListTraces("c", store.TraceQuery{})),
			statement{"SELECT c FROM traces ORDER BY start_time DESC, trace_id LIMIT $1", []any{100}}},
		{"the points of an aggregation by a boolean attribute", statementOf(points.String(), points.Args()),
			statement{" WHERE name = $1 AND (attributes @> $2::jsonb OR attributes @> $3::jsonb OR resource @> $4::jsonb OR " +
				"resource @> $5::jsonb)", []any{"m", `{"k":"true"}`, `{"k":true}`, `{"k":"true"}`, `{"k":true}`}}},
	} {
		if d := cmp.Diff(tc.want, tc.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
