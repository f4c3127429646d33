INSERT INTO logs (log_id, timestamp, time_unix_nano, observed_time, severity_number, severity_text,
    body, body_text, event_name, trace_id, span_id, flags, scope, attributes, resource)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, ?)
ON CONFLICT (log_id) DO NOTHING
