package postgres

import (
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

// logCols is the logs table's select list, in readLog's order.
const logCols = "log_id, time_unix_nano, observed_time, severity_number, severity_text, body, event_name, " +
	"trace_id, COALESCE(span_id, ''), flags, scope, attributes, resource"

// logRow renders a log record as COPY wants it, in logStageCols' order.
func logRow(l *store.LogRecord, memo *attrjson.Memo) ([]any, error) {
	attrs, res, err := attrjson.MarshalPair(l.Attributes, l.Resource, memo)
	if err != nil {
		return nil, err
	}
	body, err := attrjson.MarshalBody(l.Body)
	if err != nil {
		return nil, err
	}
	return []any{uuid(l.LogID), l.Time(), l.Timestamp.UnixNano(), l.ObservedTimestamp.UnixNano(), l.SeverityNumber,
		text(l.SeverityText), string(body), text(store.BodyText(l.Body)), text(l.EventName), uuid(l.TraceID),
		nullable(l.SpanID), int64(l.Flags), text(l.Scope), attrs, res}, nil
}

func readLog(row sqlquery.Scanner) (store.LogRecord, error) {
	var l store.LogRecord
	var id, tid pgtype.UUID
	var ts, observed, flags int64
	var body, attrs, res []byte
	err := row.Scan(&id, &ts, &observed, &l.SeverityNumber, &l.SeverityText, &body, &l.EventName, &tid, &l.SpanID,
		&flags, &l.Scope, &attrs, &res)
	if err != nil {
		return l, err
	}
	l.LogID, l.TraceID, l.Flags = uuidHex(id), uuidHex(tid), uint32(flags)
	l.Timestamp, l.ObservedTimestamp = nsTime(ts), nsTime(observed)
	l.SeverityText, l.EventName, l.Scope = attrjson.UnescapeNUL(l.SeverityText), attrjson.UnescapeNUL(l.EventName),
		attrjson.UnescapeNUL(l.Scope)
	if l.Body, err = attrjson.UnmarshalBody(body); err != nil {
		return l, err
	}
	return l, attrjson.UnmarshalPair(attrs, res, &l.Attributes, &l.Resource)
}
