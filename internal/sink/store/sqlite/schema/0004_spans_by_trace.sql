-- Spans are identified by (trace_id, span_id), as OpenTelemetry defines
-- them, and deduplicated on that pair: one unique index that also serves
-- every lookup by trace, in place of a unique index on span_id alone plus
-- an index on trace_id. Span ids are random, so the span_id index took a
-- page write for nearly every span under real traffic; spans of one trace
-- share a page of this one (BenchmarkWriteSpansCPU/RandomIDs: 17.8k to
-- 38.9k spans per CPU-second at 300k spans). SQLite cannot drop a primary
-- key, so the table is rebuilt, with its rowids, which needs room for a
-- second copy of it until the migration commits.
CREATE TABLE spans_by_trace (
    span_id        TEXT NOT NULL,
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

INSERT INTO spans_by_trace (rowid, span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
                            duration, status, status_message, scope, attributes, resource)
SELECT rowid, span_id, trace_id, parent_span_id, name, kind, start_time, end_time,
       duration, status, status_message, scope, attributes, resource
FROM spans;

DROP TABLE spans;
ALTER TABLE spans_by_trace RENAME TO spans;

CREATE UNIQUE INDEX idx_spans_trace_id_span_id ON spans(trace_id, span_id);
CREATE INDEX idx_spans_parent_span_id ON spans(parent_span_id);
CREATE INDEX idx_spans_start_time ON spans(start_time);
