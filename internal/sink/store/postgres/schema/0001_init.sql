-- The seed's four tables, columns and indexes. Differences, all needed to
-- round-trip OTLP: span ids are TEXT (see below) instead of UUID, which
-- cannot hold OTLP's 8-byte ids; free-form strings are TEXT instead of
-- VARCHAR(n), so a long span name never makes a batch fail forever; spans
-- carry status_message, scope and resource, events and metrics carry
-- resource; traces carry span_count.
--
-- Span ids are TEXT holding 16 lowercase hex digits, in the "C" collation
-- (byte order, fast comparisons): the form every API and UI shows, so SQL
-- can take an id pasted from a trace view, and the same as the SQLite
-- store's. BYTEA would save 8 bytes per id at the cost of decode() in every
-- hand-written query.
--
-- The spans foreign key is checked at commit, because one statement
-- inserts a batch's spans and then upserts their trace rows. events.trace_id
-- has none: logs name traces this sink may never receive.

CREATE TABLE traces (
    trace_id   UUID PRIMARY KEY,
    name       TEXT,               -- NULL until the root span arrives
    start_time TIMESTAMPTZ NOT NULL,
    end_time   TIMESTAMPTZ NOT NULL,
    duration   DOUBLE PRECISION NOT NULL,
    status     VARCHAR(50) NOT NULL,
    span_count INTEGER NOT NULL,
    attributes JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE spans (
    span_id        TEXT COLLATE "C" PRIMARY KEY,
    trace_id       UUID NOT NULL REFERENCES traces(trace_id) DEFERRABLE INITIALLY DEFERRED,
    parent_span_id TEXT COLLATE "C",
    name           TEXT NOT NULL,
    kind           VARCHAR(50) NOT NULL,
    start_time     TIMESTAMPTZ NOT NULL,
    end_time       TIMESTAMPTZ NOT NULL,
    duration       DOUBLE PRECISION NOT NULL,
    status         VARCHAR(50) NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    scope          TEXT NOT NULL DEFAULT '',
    attributes     JSONB NOT NULL DEFAULT '{}',
    resource       JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE events (
    event_id   UUID PRIMARY KEY,
    trace_id   UUID,
    span_id    TEXT COLLATE "C",
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    timestamp  TIMESTAMPTZ NOT NULL,
    attributes JSONB NOT NULL DEFAULT '{}',
    resource   JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE metrics (
    metric_id        UUID PRIMARY KEY,
    trace_id         UUID,
    name             TEXT NOT NULL,
    value            DOUBLE PRECISION NOT NULL,
    unit             TEXT NOT NULL DEFAULT '',
    aggregation_type VARCHAR(50) NOT NULL,
    timestamp        TIMESTAMPTZ NOT NULL,
    attributes       JSONB NOT NULL DEFAULT '{}',
    resource         JSONB NOT NULL DEFAULT '{}'
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
CREATE INDEX idx_traces_attributes ON traces USING GIN(attributes);
CREATE INDEX idx_spans_attributes ON spans USING GIN(attributes);

-- What the queries and retention need besides: newest-first listings,
-- pruning by end time, aggregations of one metric over time, and attribute
-- filters on resources and metric points.
CREATE INDEX idx_traces_end_time ON traces(end_time);
CREATE INDEX idx_spans_start_time ON spans(start_time);
CREATE INDEX idx_events_timestamp ON events(timestamp);
CREATE INDEX idx_metrics_name_timestamp ON metrics(name, timestamp);
CREATE INDEX idx_spans_resource ON spans USING GIN(resource);
CREATE INDEX idx_metrics_attributes ON metrics USING GIN(attributes);
CREATE INDEX idx_metrics_resource ON metrics USING GIN(resource);
