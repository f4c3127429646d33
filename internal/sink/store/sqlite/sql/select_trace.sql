SELECT trace_id, name, start_time, end_time, duration, status, span_count, attributes
FROM traces WHERE trace_id = ?
