-- Spans are identified by (trace_id, span_id), as OpenTelemetry defines
-- them, and deduplicated on that pair: the primary key becomes the pair and
-- also serves every lookup by trace, so the trace_id index goes. Span ids
-- are random, so a key on span_id alone put every span on a page of its
-- own in one more B-tree; spans of one trace share pages of this one.
--
-- On an existing database the upgrade builds the new key inside the
-- migration's transaction, so writes wait until it commits.
ALTER TABLE spans DROP CONSTRAINT spans_pkey;
ALTER TABLE spans ADD CONSTRAINT spans_pkey PRIMARY KEY (trace_id, span_id);
DROP INDEX idx_spans_trace_id;
