-- Value runs (package valueruns): the points of one metric name and one
-- minute that one write stored, sorted by value, so that an aggregation
-- selects its percentiles across a few sorted runs instead of reading and
-- sorting every point. points holds count (value, timestamp) pairs of 16
-- bytes, big-endian; NaN values have none. The write that stores the points
-- adds their runs in its transaction; compaction (compact.go) merges the
-- small runs of many writes; Prune keeps the table in step with metrics.
-- A run larger than a row keeps on its b-tree page takes several rows
-- (inlineRun in runs.go).
-- Opening a database of version 2 fills the table from metrics in the
-- transaction of this file (backfillRuns in runs.go).
CREATE TABLE metric_runs (
    name         TEXT NOT NULL,
    bucket_start INTEGER NOT NULL,  -- Unix nanoseconds, a whole minute
    count        INTEGER NOT NULL,
    points       BLOB NOT NULL
);

CREATE INDEX idx_metric_runs_name_bucket_start ON metric_runs(name, bucket_start);
