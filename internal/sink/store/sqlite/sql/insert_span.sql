INSERT INTO spans (span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
                   duration, status, status_message, scope, attributes, resource)
VALUES (?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (trace_id, span_id) DO NOTHING
