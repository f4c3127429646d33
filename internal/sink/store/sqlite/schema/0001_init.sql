-- The seed's four tables, columns and indexes. Differences, all needed to
-- round-trip OTLP: times are INTEGER Unix nanoseconds (compact, fast to
-- compare, and OTLP's own precision); spans carry status_message, scope and
-- resource, events and metrics carry resource; traces carry span_count;
-- JSON columns are TEXT written by the store (SQLite's JSON type is TEXT).
-- events.trace_id has no foreign key: logs name traces this sink may never
-- receive. SQLite does not enforce the spans one unless asked; it documents.

CREATE TABLE traces (
    trace_id   TEXT PRIMARY KEY,
    name       TEXT,               -- NULL until the root span arrives
    start_time INTEGER NOT NULL,
    end_time   INTEGER NOT NULL,
    duration   REAL NOT NULL,
    status     TEXT NOT NULL,
    span_count INTEGER NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE spans (
    span_id        TEXT PRIMARY KEY,
    trace_id       TEXT NOT NULL REFERENCES traces(trace_id),
    parent_span_id TEXT,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    start_time     INTEGER NOT NULL,
    end_time       INTEGER NOT NULL,
    duration       REAL NOT NULL,
    status         TEXT NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    scope          TEXT NOT NULL DEFAULT '',
    attributes     TEXT NOT NULL DEFAULT '{}',
    resource       TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE events (
    event_id   TEXT PRIMARY KEY,
    trace_id   TEXT,
    span_id    TEXT,
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    timestamp  INTEGER NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    resource   TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE metrics (
    metric_id        TEXT PRIMARY KEY,
    trace_id         TEXT,
    name             TEXT NOT NULL,
    value            REAL,         -- NULL holds NaN, which SQLite cannot store
    unit             TEXT NOT NULL DEFAULT '',
    aggregation_type TEXT NOT NULL,
    timestamp        INTEGER NOT NULL,
    attributes       TEXT NOT NULL DEFAULT '{}',
    resource         TEXT NOT NULL DEFAULT '{}'
);

-- The seed's indexes.
CREATE INDEX idx_traces_start_time ON traces(start_time);
CREATE INDEX idx_traces_status ON traces(status);
CREATE INDEX idx_spans_trace_id ON spans(trace_id);
CREATE INDEX idx_spans_parent_span_id ON spans(parent_span_id);
CREATE INDEX idx_events_trace_id ON events(trace_id);
CREATE INDEX idx_events_type ON events(type);
CREATE INDEX idx_metrics_name ON metrics(name);
CREATE INDEX idx_metrics_timestamp ON metrics(timestamp);

-- What the queries and retention need besides: newest-first listings,
-- pruning by end time, and aggregations of one metric over time.
CREATE INDEX idx_traces_end_time ON traces(end_time);
CREATE INDEX idx_spans_start_time ON spans(start_time);
CREATE INDEX idx_events_timestamp ON events(timestamp);
CREATE INDEX idx_metrics_name_timestamp ON metrics(name, timestamp);
