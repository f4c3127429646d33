-- Log records, kept whole (issue 21): every OTLP log record, not only those
-- with an event name (those are events too, in the events table).
-- timestamp is the record's time, else its observed time: what listings
-- order and filter by, to the microsecond as every timestamptz here;
-- time_unix_nano and observed_time keep both as sent, to the nanosecond
-- (0 when absent). body is the AnyValue as {"v": value}, so that every kind
-- of value, null included, round-trips; body_text renders it for substring
-- search (a string as it is, scalars as text, else '').
CREATE TABLE logs (
    log_id          UUID PRIMARY KEY,
    timestamp       TIMESTAMPTZ NOT NULL,
    time_unix_nano  BIGINT NOT NULL,
    observed_time   BIGINT NOT NULL,
    severity_number INTEGER NOT NULL,
    severity_text   TEXT NOT NULL DEFAULT '',
    body            JSONB NOT NULL DEFAULT '{}',
    body_text       TEXT NOT NULL DEFAULT '',
    event_name      TEXT NOT NULL DEFAULT '',
    trace_id        UUID,
    span_id         TEXT COLLATE "C",
    flags           BIGINT NOT NULL DEFAULT 0,
    scope           TEXT NOT NULL DEFAULT '',
    attributes      JSONB NOT NULL DEFAULT '{}',
    resource        JSONB NOT NULL DEFAULT '{}'
);

-- Newest-first listings walk the first index and stop at the limit; a
-- trace's logs are found through the second; attribute and service filters
-- are containments (@>) that the GIN indexes answer.
CREATE INDEX idx_logs_timestamp_log_id ON logs (timestamp DESC, log_id);
CREATE INDEX idx_logs_trace_id ON logs (trace_id);
CREATE INDEX idx_logs_attributes ON logs USING GIN (attributes jsonb_path_ops);
CREATE INDEX idx_logs_resource ON logs USING GIN (resource jsonb_path_ops);
