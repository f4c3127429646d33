INSERT INTO events (event_id, trace_id, span_id, type, name, timestamp, attributes, resource)
VALUES (?, NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, ?, ?)
ON CONFLICT (event_id) DO NOTHING
