-- The stored rows of the traces a write adds spans to. The writer repeats
-- the one placeholder to look up many traces in one statement (traceLookup
-- in write.go), repeating an id where a batch has fewer traces.
SELECT trace_id, name, start_time, end_time, duration, status, span_count, attributes
FROM traces WHERE trace_id IN (?)
