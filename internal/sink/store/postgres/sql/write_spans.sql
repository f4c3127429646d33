-- Inserts the staged spans that are new and names the trace of each, for
-- write_traces.sql to count. Rows go in key order so that concurrent
-- writers wait for each other's keys in the same order and never deadlock.
INSERT INTO spans (span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
                   duration, status, status_message, scope, attributes, resource)
SELECT span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
       duration, status, status_message, scope, attributes, resource
FROM stage_spans ORDER BY trace_id, span_id
ON CONFLICT (trace_id, span_id) DO NOTHING
RETURNING trace_id
