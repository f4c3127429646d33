package sqlite

import (
	"context"
	"database/sql"
	"math"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/tracerow"
)

// Column lists in the order the read functions scan them.
const (
	traceCols = "trace_id, name, start_time, end_time, duration, status, span_count, attributes"
	spanCols  = "span_id, trace_id, COALESCE(parent_span_id, ''), name, kind, start_time, end_time, " +
		"duration, status, status_message, scope, attributes, resource"
	eventCols  = "event_id, COALESCE(trace_id, ''), COALESCE(span_id, ''), type, name, timestamp, attributes, resource"
	metricCols = "metric_id, COALESCE(trace_id, ''), name, value, unit, aggregation_type, timestamp, attributes, resource"
)

// tables pairs each column list with the function that reads it.
var tables = sqlquery.Tables{
	Traces:  sqlquery.Table[store.Trace]{Cols: traceCols, Read: readListedTrace},
	Spans:   sqlquery.Table[store.Span]{Cols: spanCols, Read: readSpan},
	Events:  sqlquery.Table[store.Event]{Cols: eventCols, Read: readEvent},
	Metrics: sqlquery.Table[store.Metric]{Cols: metricCols, Read: readMetric},
	Logs:    sqlquery.Table[store.LogRecord]{Cols: logCols, Read: readLog},
}

type scanner = sqlquery.Scanner

func ns(v int64) time.Time { return time.Unix(0, v).UTC() }

func readTrace(sc scanner) (*tracerow.Row, error) {
	var r tracerow.Row
	var name sql.NullString
	var start, end int64
	var attrs []byte
	if err := sc.Scan(&r.TraceID, &name, &start, &end, &r.Duration, &r.Status, &r.SpanCount, &attrs); err != nil {
		return nil, err
	}
	r.Name, r.HasRoot = name.String, name.Valid
	r.StartTime, r.EndTime = ns(start), ns(end)
	var err error
	r.Attributes, err = attrjson.Unmarshal(attrs)
	return &r, err
}

func readSpan(sc scanner) (store.Span, error) {
	var sp store.Span
	var start, end int64
	var attrs, res []byte
	err := sc.Scan(&sp.SpanID, &sp.TraceID, &sp.ParentSpanID, &sp.Name, &sp.Kind, &start, &end,
		&sp.Duration, &sp.Status, &sp.StatusMessage, &sp.Scope, &attrs, &res)
	if err != nil {
		return sp, err
	}
	sp.StartTime, sp.EndTime = ns(start), ns(end)
	return sp, attrjson.UnmarshalPair(attrs, res, &sp.Attributes, &sp.Resource)
}

func readEvent(sc scanner) (store.Event, error) {
	var e store.Event
	var ts int64
	var attrs, res []byte
	if err := sc.Scan(&e.EventID, &e.TraceID, &e.SpanID, &e.Type, &e.Name, &ts, &attrs, &res); err != nil {
		return e, err
	}
	e.Timestamp = ns(ts)
	return e, attrjson.UnmarshalPair(attrs, res, &e.Attributes, &e.Resource)
}

func readMetric(sc scanner) (store.Metric, error) {
	var m store.Metric
	var ts int64
	var value sql.NullFloat64
	var attrs, res []byte
	err := sc.Scan(&m.MetricID, &m.TraceID, &m.Name, &value, &m.Unit, &m.AggregationType, &ts, &attrs, &res)
	if err != nil {
		return m, err
	}
	m.Value = value.Float64
	if !value.Valid {
		m.Value = math.NaN()
	}
	m.Timestamp = ns(ts)
	return m, attrjson.UnmarshalPair(attrs, res, &m.Attributes, &m.Resource)
}

// readListedTrace reads a trace row without what only the writer needs.
func readListedTrace(sc scanner) (store.Trace, error) {
	r, err := readTrace(sc)
	if err != nil {
		return store.Trace{}, err
	}
	return r.Trace, nil
}

// query runs a statement on the reading pool, which WAL lets read while
// a write is under way.
func (s *Store) query(ctx context.Context, query string, args ...any) (sqlquery.Rows, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}
