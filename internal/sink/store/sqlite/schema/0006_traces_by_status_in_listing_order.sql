-- A listing filtered by status read every trace of that status through
-- idx_traces_status and sorted them all before LIMIT applied: a filtered
-- listing took 84 ms at 100k traces (make bench, 2026-12-02), nearly all
-- of them of one status. This index yields the traces of one status in the
-- listing order, so the listing stops after its limit; it serves every
-- lookup idx_traces_status served. idx_traces_start_time is dropped too:
-- idx_traces_start_time_trace_id (0002) serves every use it had, and each
-- index costs every trace write.
DROP INDEX idx_traces_status;
DROP INDEX idx_traces_start_time;
CREATE INDEX idx_traces_status_start_time_trace_id ON traces(status, start_time DESC, trace_id);
