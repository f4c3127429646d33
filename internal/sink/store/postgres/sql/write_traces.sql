-- Folds each trace's row from a batch into the stored one; $6 counts the
-- batch's spans of the trace that were new. Rows go in key order so that
-- concurrent writers lock them in the same order and never deadlock.
-- EXCLUDED.attributes || t.attributes keeps the stored value of a key:
-- the first written wins.
INSERT INTO traces AS t (trace_id, name, start_time, end_time, duration, status, span_count, attributes)
SELECT trace_id, name, start_time, end_time, EXTRACT(EPOCH FROM end_time - start_time)::float8, status, n, attributes
FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::int4[], $7::jsonb[])
    AS s(trace_id, name, start_time, end_time, status, n, attributes)
ORDER BY trace_id
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
