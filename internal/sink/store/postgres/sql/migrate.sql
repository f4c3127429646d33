-- Run before the migrations, in their transaction: one sink replica at a
-- time migrates, the others wait and then find nothing to do.
SELECT pg_advisory_xact_lock(7305712025);
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
