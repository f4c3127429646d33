package store

import "time"

// DefaultLimit is the number of rows a query returns when its Limit is zero;
// MaxLimit caps any larger Limit.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// TimeRange bounds a query by a record's time: From inclusive, To exclusive.
// A zero bound is open.
type TimeRange struct {
	From time.Time
	To   time.Time
}

// Contains reports whether t lies in the range.
func (r TimeRange) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// AttributeFilter matches a record when, for every key, the record's
// attribute or resource attribute of that key (either one suffices),
// rendered as text, equals the value. Text rendering (AttributeText):
// strings as is, booleans "true"/"false", integers in decimal, floats in
// Go's strconv 'g' shortest form; lists, maps and bytes never match.
type AttributeFilter map[string]string

// TraceQuery selects traces, newest StartTime first (ties by TraceID,
// ascending, like every tie below).
// Time bounds StartTime. Attributes match the trace's attributes.
type TraceQuery struct {
	Limit      int
	Status     string
	Name       string
	Time       TimeRange
	Attributes AttributeFilter
}

// SpanQuery selects spans, newest StartTime first (ties by SpanID).
type SpanQuery struct {
	Limit      int
	TraceID    string
	Name       string
	Time       TimeRange
	Attributes AttributeFilter
}

// EventQuery selects events, newest Timestamp first (ties by EventID).
type EventQuery struct {
	Limit   int
	TraceID string
	Type    string
	Name    string
	Time    TimeRange
}

// MetricQuery selects metric points, newest Timestamp first (ties by MetricID).
type MetricQuery struct {
	Limit      int
	Name       string
	Time       TimeRange
	Attributes AttributeFilter
}

// AggregateQuery aggregates the values of the points named Name, leaving
// NaN values out (they would make every statistic NaN). With Step
// above zero, points fall into buckets starting at Unix-epoch multiples of
// Step (bucket start = floor(ts/Step)*Step) and buckets come oldest first,
// empty buckets omitted. With Step zero there is one bucket whose Start is
// the earliest matching point; no matching point gives no bucket. An empty
// Name, or a Step that is negative or not whole microseconds (PostgreSQL's
// interval precision), is ErrInvalid.
type AggregateQuery struct {
	Name       string
	Time       TimeRange
	Step       time.Duration
	Attributes AttributeFilter
}

// EffectiveLimit applies DefaultLimit and MaxLimit to a requested limit.
func EffectiveLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	default:
		return limit
	}
}
