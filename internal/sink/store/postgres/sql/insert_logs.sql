INSERT INTO logs (log_id, timestamp, time_unix_nano, observed_time, severity_number, severity_text, body,
    body_text, event_name, trace_id, span_id, flags, scope, attributes, resource)
SELECT log_id, timestamp, time_unix_nano, observed_time, severity_number, severity_text, body,
    body_text, event_name, trace_id, span_id, flags, scope, attributes, resource
FROM stage_logs ORDER BY log_id
ON CONFLICT (log_id) DO NOTHING
