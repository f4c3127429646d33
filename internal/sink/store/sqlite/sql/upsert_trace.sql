-- The writer computed the whole row (old row merged with the batch's spans)
-- under the write lock, so the new values replace the old ones.
INSERT INTO traces (trace_id, name, start_time, end_time, duration, status, span_count, attributes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (trace_id) DO UPDATE SET
    name = excluded.name, start_time = excluded.start_time, end_time = excluded.end_time,
    duration = excluded.duration, status = excluded.status, span_count = excluded.span_count,
    attributes = excluded.attributes
