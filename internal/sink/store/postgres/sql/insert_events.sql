INSERT INTO events (event_id, trace_id, span_id, type, name, timestamp, attributes, resource)
SELECT event_id, trace_id, span_id, type, name, timestamp, attributes, resource
FROM stage_events ORDER BY event_id
ON CONFLICT (event_id) DO NOTHING
