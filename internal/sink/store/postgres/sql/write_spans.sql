-- Inserts the staged spans that are new, then folds each trace's staged row
-- into the stored one, counting only the new spans. Rows go in key order so
-- that concurrent writers lock them in the same order and never deadlock.
-- EXCLUDED.attributes || t.attributes keeps the stored value of a key:
-- the first written wins.
WITH ins AS (
    INSERT INTO spans (span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
                       duration, status, status_message, scope, attributes, resource)
    SELECT span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
           duration, status, status_message, scope, attributes, resource
    FROM stage_spans ORDER BY span_id
    ON CONFLICT (span_id) DO NOTHING
    RETURNING trace_id
), counts AS (
    SELECT trace_id, count(*) AS n FROM ins GROUP BY trace_id
)
INSERT INTO traces AS t (trace_id, name, start_time, end_time, duration, status, span_count, attributes)
SELECT s.trace_id, s.name, s.start_time, s.end_time,
       EXTRACT(EPOCH FROM s.end_time - s.start_time)::float8, s.status, c.n, s.attributes
FROM stage_traces s JOIN counts c USING (trace_id)
ORDER BY s.trace_id
ON CONFLICT (trace_id) DO UPDATE SET
    name       = COALESCE(t.name, EXCLUDED.name),
    start_time = LEAST(t.start_time, EXCLUDED.start_time),
    end_time   = GREATEST(t.end_time, EXCLUDED.end_time),
    duration   = EXTRACT(EPOCH FROM GREATEST(t.end_time, EXCLUDED.end_time)
                                  - LEAST(t.start_time, EXCLUDED.start_time))::float8,
    status     = CASE WHEN t.status = 'failed' OR EXCLUDED.status = 'failed'
                      THEN 'failed' ELSE 'completed' END,
    span_count = t.span_count + EXCLUDED.span_count,
    attributes = EXCLUDED.attributes || t.attributes
