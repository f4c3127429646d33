package store

import "time"

// LogRecord is one OTLP log record, kept whole.
//
// Timestamp is the record's time (time_unix_nano) and ObservedTimestamp the
// time the SDK observed it; either may be zero when the sender left it out.
// Time() is the one listings order and filter by. Body is the record's
// AnyValue decoded as attribute values are (string, bool, int64, float64,
// []byte, []any, map[string]any, or nil). EventName is OTLP's event_name
// field; a record with an event name, there or in the "event.name"
// attribute, is also an Event. LogID is computed from the record's contents
// (ContentID), so a record written twice is stored once.
type LogRecord struct {
	LogID             string     `json:"logId"`
	Timestamp         time.Time  `json:"timestamp"`
	ObservedTimestamp time.Time  `json:"observedTimestamp"`
	SeverityNumber    int32      `json:"severityNumber"`
	SeverityText      string     `json:"severityText,omitempty"`
	Body              any        `json:"body,omitempty"`
	EventName         string     `json:"eventName,omitempty"`
	TraceID           string     `json:"traceId,omitempty"`
	SpanID            string     `json:"spanId,omitempty"`
	Flags             uint32     `json:"flags,omitempty"`
	Scope             string     `json:"scope,omitempty"`
	Attributes        Attributes `json:"attributes,omitempty"`
	Resource          Attributes `json:"resource,omitempty"`
}

// Time is when the record happened: its Timestamp, else the time it was
// observed.
func (l *LogRecord) Time() time.Time {
	if !l.Timestamp.IsZero() && l.Timestamp.UnixNano() != 0 {
		return l.Timestamp
	}
	return l.ObservedTimestamp
}

// AttrServiceName is the resource attribute that names a service.
const AttrServiceName = "service.name"

// LogQuery selects log records, newest Time first (ties by LogID). Time
// bounds Time(). MinSeverity keeps records whose SeverityNumber is at least
// it (OTLP: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24
// FATAL; 0 keeps every record, unspecified severities included). Service
// matches the resource's service.name; Body keeps records whose body,
// rendered as text (BodyText), contains it; Attributes match the record's
// attributes or its resource.
type LogQuery struct {
	Limit       int
	Time        TimeRange
	MinSeverity int32
	TraceID     string
	SpanID      string
	Service     string
	Body        string
	Attributes  AttributeFilter
}

// BodyText renders a log body for LogQuery.Body: a string as it is,
// scalars as AttributeText renders them, anything else (bytes, lists,
// maps, no body) as nothing.
func BodyText(body any) string {
	s, _ := AttributeText(body)
	return s
}
