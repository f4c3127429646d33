-- Per-connection staging tables that COPY fills; their rows vanish at each
-- commit, so a retried batch never sees a failed attempt's rows. Spans are
-- staged only by a batch that repeats a stored one (see write.go).
CREATE TEMP TABLE stage_spans (
    span_id TEXT COLLATE "C", trace_id UUID, parent_span_id TEXT COLLATE "C", name TEXT, kind TEXT,
    start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, duration DOUBLE PRECISION, status TEXT,
    status_message TEXT, scope TEXT, attributes JSONB, resource JSONB
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_events (
    event_id UUID, trace_id UUID, span_id TEXT COLLATE "C", type TEXT, name TEXT,
    timestamp TIMESTAMPTZ, attributes JSONB, resource JSONB
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_metrics (
    metric_id UUID, trace_id UUID, name TEXT, value DOUBLE PRECISION, unit TEXT,
    aggregation_type TEXT, timestamp TIMESTAMPTZ, attributes JSONB, resource JSONB
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_logs (
    log_id UUID, timestamp TIMESTAMPTZ, time_unix_nano BIGINT, observed_time BIGINT, severity_number INTEGER,
    severity_text TEXT, body JSONB, body_text TEXT, event_name TEXT, trace_id UUID, span_id TEXT COLLATE "C",
    flags BIGINT, scope TEXT, attributes JSONB, resource JSONB
) ON COMMIT DELETE ROWS;
