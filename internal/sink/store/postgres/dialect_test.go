package postgres

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery/sqlquerytest"
)

// The statements are those the GIN indexes were chosen for (see
// upgrade_gin_test.go): their text and parameters, placeholder by
// placeholder.
func TestStatementsKeepTheTextTheIndexesWereChosenFor(t *testing.T) {
	from, to, tid := sqlquerytest.From, sqlquerytest.To, sqlquerytest.TraceID
	sqlquerytest.Check(t, &dialect, sqlquerytest.Statements{
		TracesByEveryFilter: sqlquery.Statement{
			SQL: "SELECT c FROM traces WHERE status = $1 AND name = $2 AND start_time >= $3 AND start_time < $4 " +
				"AND (attributes @> $5::jsonb) ORDER BY start_time DESC, trace_id LIMIT $6",
			Args: []any{"completed", "n", from, to, `{"k":"abc"}`, 5}},
		SpansByEveryFilter: sqlquery.Statement{
			SQL: "SELECT c FROM spans WHERE trace_id = $1 AND name = $2 AND start_time >= $3 AND start_time < $4 " +
				"AND (attributes @> $5::jsonb OR attributes @> $6::jsonb OR resource @> $7::jsonb OR " +
				"resource @> $8::jsonb) ORDER BY start_time DESC, span_id LIMIT $9",
			Args: []any{tid, "n", from, to, `{"k":"42"}`, `{"k":42}`, `{"k":"42"}`, `{"k":42}`, 10000}},
		SpansByLargeInteger: sqlquery.Statement{
			SQL: "SELECT c FROM spans WHERE (attributes @> $1::jsonb OR (attributes @> $2::jsonb AND " +
				"strpos(attributes ->> $3, '.') = 0) OR resource @> $4::jsonb OR (resource @> $5::jsonb AND " +
				"strpos(resource ->> $6, '.') = 0)) ORDER BY start_time DESC, span_id LIMIT $7",
			Args: []any{`{"k":"1000000"}`, `{"k":1000000}`, "k", `{"k":"1000000"}`, `{"k":1000000}`, "k", 100}},
		EventsByEveryFilter: sqlquery.Statement{
			SQL: "SELECT c FROM events WHERE trace_id = $1 AND type = $2 AND name = $3 AND timestamp >= $4 AND " +
				"timestamp < $5 ORDER BY timestamp DESC, event_id LIMIT $6",
			Args: []any{tid, "log", "e", from, to, 7}},
		MetricsByFloat: sqlquery.Statement{
			SQL: "SELECT c FROM metrics WHERE name = $1 AND (attributes @> $2::jsonb OR (attributes @> $3::jsonb AND " +
				"strpos(attributes ->> $4, '.') > 0) OR resource @> $5::jsonb OR (resource @> $6::jsonb AND " +
				"strpos(resource ->> $7, '.') > 0)) ORDER BY timestamp DESC, metric_id LIMIT $8",
			Args: []any{"m", `{"k":"1.5"}`, `{"k":1.5}`, "k", `{"k":"1.5"}`, `{"k":1.5}`, "k", 100}},
		AllTraces: sqlquery.Statement{SQL: "SELECT c FROM traces ORDER BY start_time DESC, trace_id LIMIT $1",
			Args: []any{100}},
		PointsByBoolean: sqlquery.Statement{
			SQL: " WHERE name = $1 AND (attributes @> $2::jsonb OR attributes @> $3::jsonb OR " +
				"resource @> $4::jsonb OR resource @> $5::jsonb)",
			Args: []any{"m", `{"k":"true"}`, `{"k":true}`, `{"k":"true"}`, `{"k":true}`}},
	})
}
