package sqlite

import (
	"database/sql"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/attrjson"
)

// logCols is the logs table's select list, in readLog's order.
const logCols = "log_id, time_unix_nano, observed_time, severity_number, severity_text, body, event_name, " +
	"COALESCE(trace_id, ''), COALESCE(span_id, ''), flags, scope, attributes, resource"

// insertLogs writes log records on the batch connection; a record whose
// id is stored already is left as it is.
func (s *Store) insertLogs(logs []store.LogRecord, memo *attrjson.Memo) error {
	ins := s.stmts.insertLog
	for i := range logs {
		l := &logs[i]
		attrs, res, err := attrjson.MarshalPair(l.Attributes, l.Resource, memo)
		if err != nil {
			return err
		}
		body, err := attrjson.MarshalBody(l.Body)
		if err != nil {
			return err
		}
		ins.text(1, l.LogID)
		ins.int64(2, l.Time().UnixNano())
		ins.int64(3, l.Timestamp.UnixNano())
		ins.int64(4, l.ObservedTimestamp.UnixNano())
		ins.int64(5, int64(l.SeverityNumber))
		ins.text(6, l.SeverityText)
		ins.jsonText(7, body)
		ins.texts(8, store.BodyText(l.Body), l.EventName, l.TraceID, l.SpanID)
		ins.int64(12, int64(l.Flags))
		ins.texts(13, l.Scope, attrs, res)
		if _, err := ins.exec(); err != nil {
			return err
		}
	}
	return nil
}

func readLog(sc scanner) (store.LogRecord, error) {
	var l store.LogRecord
	var ts, observed, severity, flags int64
	var body, attrs, res []byte
	var severityText sql.NullString
	err := sc.Scan(&l.LogID, &ts, &observed, &severity, &severityText, &body, &l.EventName, &l.TraceID, &l.SpanID,
		&flags, &l.Scope, &attrs, &res)
	if err != nil {
		return l, err
	}
	l.Timestamp, l.ObservedTimestamp = ns(ts), ns(observed)
	l.SeverityNumber, l.SeverityText, l.Flags = int32(severity), severityText.String, uint32(flags)
	if l.Body, err = attrjson.UnmarshalBody(body); err != nil {
		return l, err
	}
	return l, attrjson.UnmarshalPair(attrs, res, &l.Attributes, &l.Resource)
}
