package postgres

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

// Column lists in the order the read functions scan them.
const (
	traceCols  = "trace_id, COALESCE(name, ''), start_time, end_time, duration, status, span_count, attributes"
	spanCols   = "span_id, trace_id, COALESCE(parent_span_id, ''), name, kind, start_time, end_time, duration, status, status_message, scope, attributes, resource"
	eventCols  = "event_id, trace_id, COALESCE(span_id, ''), type, name, timestamp, attributes, resource"
	metricCols = "metric_id, trace_id, name, value, unit, aggregation_type, timestamp, attributes, resource"
)

// tables pairs each column list with the function that reads it.
var tables = sqlquery.Tables{
	Traces:  sqlquery.Table[store.Trace]{Cols: traceCols, Read: readTrace},
	Spans:   sqlquery.Table[store.Span]{Cols: spanCols, Read: readSpan},
	Events:  sqlquery.Table[store.Event]{Cols: eventCols, Read: readEvent},
	Metrics: sqlquery.Table[store.Metric]{Cols: metricCols, Read: readMetric},
	Logs:    sqlquery.Table[store.LogRecord]{Cols: logCols, Read: readLog},
}

// uuidHex is the contract's form of a UUID column: 32 hex digits, or empty
// for NULL.
func uuidHex(u pgtype.UUID) string {
	if !u.Valid {
		return ""
	}
	return hex.EncodeToString(u.Bytes[:])
}

func utc(t *time.Time) { *t = t.UTC() }

// nsTime is a time kept as Unix nanoseconds.
func nsTime(v int64) time.Time { return time.Unix(0, v).UTC() }

func readTrace(row sqlquery.Scanner) (store.Trace, error) {
	var t store.Trace
	var id pgtype.UUID
	var attrs []byte
	if err := row.Scan(&id, &t.Name, &t.StartTime, &t.EndTime, &t.Duration, &t.Status, &t.SpanCount, &attrs); err != nil {
		return t, err
	}
	t.TraceID, t.Name = uuidHex(id), attrjson.UnescapeNUL(t.Name)
	utc(&t.StartTime)
	utc(&t.EndTime)
	var err error
	t.Attributes, err = attrjson.Unmarshal(attrs)
	return t, err
}

func readSpan(row sqlquery.Scanner) (store.Span, error) {
	var sp store.Span
	var tid pgtype.UUID
	var attrs, res []byte
	err := row.Scan(&sp.SpanID, &tid, &sp.ParentSpanID, &sp.Name, &sp.Kind, &sp.StartTime, &sp.EndTime,
		&sp.Duration, &sp.Status, &sp.StatusMessage, &sp.Scope, &attrs, &res)
	if err != nil {
		return sp, err
	}
	sp.TraceID = uuidHex(tid)
	sp.Name, sp.StatusMessage, sp.Scope = attrjson.UnescapeNUL(sp.Name), attrjson.UnescapeNUL(sp.StatusMessage), attrjson.UnescapeNUL(sp.Scope)
	utc(&sp.StartTime)
	utc(&sp.EndTime)
	return sp, attrjson.UnmarshalPair(attrs, res, &sp.Attributes, &sp.Resource)
}

func readEvent(row sqlquery.Scanner) (store.Event, error) {
	var e store.Event
	var id, tid pgtype.UUID
	var attrs, res []byte
	if err := row.Scan(&id, &tid, &e.SpanID, &e.Type, &e.Name, &e.Timestamp, &attrs, &res); err != nil {
		return e, err
	}
	e.EventID, e.TraceID = uuidHex(id), uuidHex(tid)
	e.Type, e.Name = attrjson.UnescapeNUL(e.Type), attrjson.UnescapeNUL(e.Name)
	utc(&e.Timestamp)
	return e, attrjson.UnmarshalPair(attrs, res, &e.Attributes, &e.Resource)
}

func readMetric(row sqlquery.Scanner) (store.Metric, error) {
	var m store.Metric
	var id, tid pgtype.UUID
	var attrs, res []byte
	err := row.Scan(&id, &tid, &m.Name, &m.Value, &m.Unit, &m.AggregationType, &m.Timestamp, &attrs, &res)
	if err != nil {
		return m, err
	}
	m.MetricID, m.TraceID = uuidHex(id), uuidHex(tid)
	m.Name, m.Unit = attrjson.UnescapeNUL(m.Name), attrjson.UnescapeNUL(m.Unit)
	utc(&m.Timestamp)
	return m, attrjson.UnmarshalPair(attrs, res, &m.Attributes, &m.Resource)
}

// collect reads every row; it returns an empty, non-nil slice when there
// is none, as the contract asks.
func collect[T any](rows pgx.Rows, err error, read pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, read)
	if out == nil && err == nil {
		out = []T{}
	}
	return out, err
}

// query runs a statement on the pool.
func (s *Store) query(ctx context.Context, sql string, args ...any) (sqlquery.Rows, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

// pgxRows are pgx's rows as sqlquery reads them: pgx reports errors
// through Err, and its Close returns nothing.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return nil
}
