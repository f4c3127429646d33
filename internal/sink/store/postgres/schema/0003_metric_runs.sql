-- Value runs (package valueruns): the points of one metric name and one
-- minute that one statement stored, sorted by value, so that an aggregation
-- selects its percentiles across a few sorted runs instead of sorting every
-- point. points holds count (value, timestamp) pairs of 16 bytes,
-- float8send(value) || int8send(Unix nanoseconds); NaN values have none.
--
-- A trigger adds the runs of the rows each INSERT into metrics stores
-- (ON CONFLICT DO NOTHING leaves a retried point out of its transition
-- table), in the writer's transaction, whichever sink version writes.
-- Runs hold at most 500 points, so that a row stays on its heap page
-- (toast_tuple_target) and reading it takes no TOAST lookups. Prune keeps
-- the table in step with metrics.
CREATE TABLE metric_runs (
    name         TEXT NOT NULL,
    bucket_start TIMESTAMPTZ NOT NULL,  -- a whole minute
    count        INTEGER NOT NULL,
    points       BYTEA NOT NULL
) WITH (toast_tuple_target = 8160);

ALTER TABLE metric_runs ALTER COLUMN points SET STORAGE EXTERNAL;

CREATE INDEX idx_metric_runs_name_bucket_start ON metric_runs(name, bucket_start);

-- metric_run_pair encodes one point as the runs hold it.
CREATE FUNCTION metric_run_pair(value DOUBLE PRECISION, ts TIMESTAMPTZ) RETURNS BYTEA
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN float8send(value) || int8send((EXTRACT(EPOCH FROM ts) * 1000000000)::int8);

CREATE FUNCTION metric_runs_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metric_runs (name, bucket_start, count, points)
    SELECT name, minute, count(*), string_agg(metric_run_pair(value, timestamp), ''::bytea ORDER BY value)
    FROM (SELECT name, value, timestamp, date_bin('1 minute', timestamp, TIMESTAMPTZ 'epoch') AS minute,
                 (row_number() OVER (PARTITION BY name, date_bin('1 minute', timestamp, TIMESTAMPTZ 'epoch')
                                     ORDER BY value) - 1) / 500 AS chunk
          FROM new_metrics WHERE value <> 'NaN'::float8) p
    GROUP BY name, minute, chunk;
    RETURN NULL;
END $$;

-- Created before the backfill below: it locks metrics against inserts
-- until this migration commits, so that every point is either read by the
-- backfill or written through the trigger, even by a sink of version 2
-- still running beside this one.
CREATE TRIGGER metric_runs_insert AFTER INSERT ON metrics
    REFERENCING NEW TABLE AS new_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION metric_runs_insert();

-- A database of version 2 gets the runs of the points it holds, one set
-- per name and minute.
INSERT INTO metric_runs (name, bucket_start, count, points)
SELECT name, minute, count(*), string_agg(metric_run_pair(value, timestamp), ''::bytea ORDER BY value)
FROM (SELECT name, value, timestamp, date_bin('1 minute', timestamp, TIMESTAMPTZ 'epoch') AS minute,
             (row_number() OVER (PARTITION BY name, date_bin('1 minute', timestamp, TIMESTAMPTZ 'epoch')
                                 ORDER BY value) - 1) / 500 AS chunk
      FROM metrics WHERE value <> 'NaN'::float8) p
GROUP BY name, minute, chunk;
