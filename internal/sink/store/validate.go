package store

import "fmt"

// ValidTraceID reports whether id is 32 lowercase hex digits.
func ValidTraceID(id string) bool { return len(id) == 32 && isLowerHex(id) }

// ValidSpanID reports whether id is 16 lowercase hex digits.
func ValidSpanID(id string) bool { return len(id) == 16 && isLowerHex(id) }

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ValidateBatch checks every id of the batch, so that all stores refuse the
// same records with an error wrapping ErrInvalid before writing any of them.
func ValidateBatch(b *Batch) error {
	for i := range b.Spans {
		s := &b.Spans[i]
		if !ValidTraceID(s.TraceID) || !ValidSpanID(s.SpanID) || !optional(s.ParentSpanID, ValidSpanID) {
			return fmt.Errorf("%w: span %q of trace %q: malformed id", ErrInvalid, s.SpanID, s.TraceID)
		}
	}
	for i := range b.Events {
		e := &b.Events[i]
		if !recordIDs(e.EventID, e.TraceID, e.SpanID) {
			return fmt.Errorf("%w: event %q: malformed id", ErrInvalid, e.EventID)
		}
	}
	for i := range b.Metrics {
		m := &b.Metrics[i]
		if !recordIDs(m.MetricID, m.TraceID, "") {
			return fmt.Errorf("%w: metric point %q: malformed id", ErrInvalid, m.MetricID)
		}
	}
	for i := range b.Logs {
		l := &b.Logs[i]
		if !recordIDs(l.LogID, l.TraceID, l.SpanID) {
			return fmt.Errorf("%w: log record %q: malformed id", ErrInvalid, l.LogID)
		}
	}
	return nil
}

// recordIDs checks a record's own id (32 hex digits, as a trace id) and
// the trace and span ids it may carry.
func recordIDs(id, traceID, spanID string) bool {
	return ValidTraceID(id) && optional(traceID, ValidTraceID) && optional(spanID, ValidSpanID)
}

// optional is valid(id), or true for an absent id.
func optional(id string, valid func(string) bool) bool { return id == "" || valid(id) }

// ValidateQueryTraceID checks an optional trace id given to a query: empty
// means "any trace".
func ValidateQueryTraceID(id string) error {
	if id != "" && !ValidTraceID(id) {
		return fmt.Errorf("%w: trace id %q is not 32 lowercase hex digits", ErrInvalid, id)
	}
	return nil
}
