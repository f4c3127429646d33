-- Log records, kept whole (issue 21): every OTLP log record, not only those
-- with an event name (those are events too, in the events table).
-- timestamp is the record's time, else its observed time: what listings
-- order and filter by; time_unix_nano and observed_time keep both as sent
-- (0 when absent). body is the AnyValue as JSON ({"v": value}, so that every
-- kind of value, null included, round-trips); body_text renders it for
-- substring search (a string as it is, scalars as text, else '').
CREATE TABLE logs (
    log_id          TEXT PRIMARY KEY,
    timestamp       INTEGER NOT NULL,
    time_unix_nano  INTEGER NOT NULL,
    observed_time   INTEGER NOT NULL,
    severity_number INTEGER NOT NULL,
    severity_text   TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '{}',
    body_text       TEXT NOT NULL DEFAULT '',
    event_name      TEXT NOT NULL DEFAULT '',
    trace_id        TEXT,
    span_id         TEXT,
    flags           INTEGER NOT NULL DEFAULT 0,
    scope           TEXT NOT NULL DEFAULT '',
    attributes      TEXT NOT NULL DEFAULT '{}',
    resource        TEXT NOT NULL DEFAULT '{}'
);

-- Newest-first listings walk this index in order and stop at the limit;
-- a trace's logs are found through the second.
CREATE INDEX idx_logs_timestamp_log_id ON logs(timestamp DESC, log_id);
CREATE INDEX idx_logs_trace_id ON logs(trace_id);
