-- Deletes old traces and their spans in one statement, so that no span of
-- a deleted trace is left behind, then old events, points and log records. The value
-- runs of minutes before the cutoff go too; those of the minute that
-- straddles it, if any, are made again from its points at or after the
-- cutoff. Every part reads one snapshot, so a write that commits meanwhile
-- keeps both its points and its runs.
WITH t AS (DELETE FROM traces WHERE end_time < $1 RETURNING trace_id),
     s AS (DELETE FROM spans USING t WHERE spans.trace_id = t.trace_id RETURNING 1),
     e AS (DELETE FROM events WHERE timestamp < $1 RETURNING 1),
     m AS (DELETE FROM metrics WHERE timestamp < $1 RETURNING 1),
     l AS (DELETE FROM logs WHERE timestamp < $1 RETURNING 1),
     r AS (DELETE FROM metric_runs WHERE bucket_start < $1),
     straddled AS (
         INSERT INTO metric_runs (name, bucket_start, count, points)
         SELECT name, minute, count(*), string_agg(metric_run_pair(value, timestamp), ''::bytea ORDER BY value)
         FROM (SELECT name, value, timestamp, date_bin('1 minute', timestamp, TIMESTAMPTZ 'epoch') AS minute,
                      (row_number() OVER (PARTITION BY name ORDER BY value) - 1) / 500 AS chunk
               FROM metrics
               WHERE timestamp >= $1
                 AND timestamp < date_bin('1 minute', $1::timestamptz, TIMESTAMPTZ 'epoch') + INTERVAL '1 minute'
                 AND date_bin('1 minute', $1::timestamptz, TIMESTAMPTZ 'epoch') < $1
                 AND value <> 'NaN'::float8) p
         GROUP BY name, minute, chunk)
SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM s), (SELECT count(*) FROM e), (SELECT count(*) FROM m),
       (SELECT count(*) FROM l)
