package sqlite

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery/sqlquerytest"
)

// The statements are those the store was tuned with (see plan_test.go):
// their text and parameters, placeholder by placeholder.
func TestStatementsKeepTheTextTheStoreWasTunedWith(t *testing.T) {
	from, to, tid := sqlquerytest.From.UnixNano(), sqlquerytest.To.UnixNano(), sqlquerytest.TraceID
	// exists matches a key in a JSON column: as text, or as alts say.
	exists := func(col, alts string) string {
		return "EXISTS (SELECT 1 FROM json_each(" + col + ") AS j WHERE j.key = ? AND " +
			"((j.type = 'text' AND j.atom = ?)" + alts + "))"
	}
	either := func(alts string) string {
		return "(" + exists("attributes", alts) + " OR " + exists("resource", alts) + ")"
	}
	integer, float := " OR (j.type = 'integer' AND j.atom = ?)", " OR (j.type = 'real' AND j.atom = ?)"
	sqlquerytest.Check(t, &dialect, sqlquerytest.Statements{
		TracesByEveryFilter: sqlquery.Statement{SQL: "SELECT c FROM traces WHERE status = ? AND name = ? AND " +
			"start_time >= ? AND start_time < ? AND (" + exists("attributes", "") + ") " +
			"ORDER BY start_time DESC, trace_id LIMIT ?", Args: []any{"completed", "n", from, to, "k", "abc", 5}},
		SpansByEveryFilter: sqlquery.Statement{SQL: "SELECT c FROM spans WHERE trace_id = ? AND name = ? AND " +
			"start_time >= ? AND start_time < ? AND " + either(integer+float) + " ORDER BY start_time DESC, span_id LIMIT ?",
			Args: []any{tid, "n", from, to, "k", "42", int64(42), 42.0, "k", "42", int64(42), 42.0, 10000}},
		SpansByLargeInteger: sqlquery.Statement{SQL: "SELECT c FROM spans WHERE " + either(integer) +
			" ORDER BY start_time DESC, span_id LIMIT ?",
			Args: []any{"k", "1000000", int64(1000000), "k", "1000000", int64(1000000), 100}},
		EventsByEveryFilter: sqlquery.Statement{SQL: "SELECT c FROM events WHERE trace_id = ? AND type = ? AND " +
			"name = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp DESC, event_id LIMIT ?",
			Args: []any{tid, "log", "e", from, to, 7}},
		MetricsByFloat: sqlquery.Statement{SQL: "SELECT c FROM metrics WHERE name = ? AND " + either(float) +
			" ORDER BY timestamp DESC, metric_id LIMIT ?", Args: []any{"m", "k", "1.5", 1.5, "k", "1.5", 1.5, 100}},
		AllTraces: sqlquery.Statement{SQL: "SELECT c FROM traces ORDER BY start_time DESC, trace_id LIMIT ?",
			Args: []any{100}},
		PointsByBoolean: sqlquery.Statement{SQL: " WHERE name = ? AND " + either(" OR j.type = 'true'"),
			Args: []any{"m", "k", "true", "k", "true"}},
	})
}
