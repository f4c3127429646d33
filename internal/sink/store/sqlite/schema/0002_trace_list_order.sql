-- Trace listings order by start_time DESC, then trace_id: with an index on
-- start_time alone, traces that start in the same nanosecond (a burst of
-- requests, or a clock with coarse ticks) were sorted in a temporary b-tree
-- before LIMIT applied. This index yields the listing order directly.
CREATE INDEX idx_traces_start_time_trace_id ON traces(start_time DESC, trace_id);
