-- Every span names a stored trace, as the seed's foreign key from spans to
-- traces has it; from this version triggers check that rule once per
-- statement instead of the foreign key's once per row. PostgreSQL checks a
-- foreign key with a query of its own for each inserted span: at 1000 spans
-- per batch that was a fifth of the server's time (perf, 2026-12-02).
--
-- What the foreign key did, these do too:
-- * A statement that adds spans locks the traces they name FOR KEY SHARE,
--   so that no other transaction deletes one before this one commits.
-- * The rule is checked at commit (the key was DEFERRABLE INITIALLY
--   DEFERRED): a transaction may add spans before their trace, as sinks
--   before this version do, or delete a trace before its spans. A statement
--   that leaves the rule broken queues the trace ids concerned in
--   span_trace_checks, and a deferred constraint trigger checks them again
--   at commit. A statement that leaves it whole queues nothing: the sink
--   writes a batch's traces before its spans.
-- * A violation is SQLSTATE 23503, foreign_key_violation, and names the
--   constraint spans_trace_id_fkey; SET CONSTRAINTS spans_trace_id_fkey
--   IMMEDIATE makes the check at the end of each statement.
-- * TRUNCATE traces fails while spans keeps rows (TRUNCATE traces, spans
--   empties both).
ALTER TABLE spans DROP CONSTRAINT spans_trace_id_fkey;

-- Transient: each row is deleted by its check, in the transaction that
-- queued it, so the table needs no WAL.
CREATE UNLOGGED TABLE span_trace_checks (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trace_ids UUID[] NOT NULL
);

-- span_trace_queue queues the ids, of those given, that spans name but
-- traces lacks, locking the traces that it has. ids must be sorted, so that
-- concurrent writers lock in the same order.
CREATE FUNCTION span_trace_queue(ids UUID[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    stored INTEGER;
BEGIN
    SELECT count(*) INTO stored
    FROM (SELECT FROM traces WHERE trace_id = ANY (ids) ORDER BY trace_id FOR KEY SHARE) locked;
    IF stored < cardinality(ids) THEN
        INSERT INTO span_trace_checks (trace_ids)
        SELECT array_agg(id) FROM unnest(ids) AS id
        WHERE NOT EXISTS (SELECT FROM traces WHERE trace_id = id)
          AND EXISTS (SELECT FROM spans WHERE trace_id = id)
        HAVING count(*) > 0;
    END IF;
END $$;

CREATE FUNCTION spans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY(SELECT DISTINCT trace_id FROM new_spans ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER spans_trace_id_inserted AFTER INSERT ON spans
    REFERENCING NEW TABLE AS new_spans
    FOR EACH STATEMENT EXECUTE FUNCTION spans_inserted();

-- Moving a span to another trace, or changing a trace's id, is rare: row
-- triggers whose WHEN skips every other update.
CREATE FUNCTION span_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY[NEW.trace_id]);
    RETURN NULL;
END $$;

CREATE TRIGGER spans_trace_id_updated AFTER UPDATE OF trace_id ON spans
    FOR EACH ROW WHEN (OLD.trace_id IS DISTINCT FROM NEW.trace_id)
    EXECUTE FUNCTION span_moved();

CREATE FUNCTION traces_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY(SELECT DISTINCT trace_id FROM old_traces ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER traces_trace_id_deleted AFTER DELETE ON traces
    REFERENCING OLD TABLE AS old_traces
    FOR EACH STATEMENT EXECUTE FUNCTION traces_deleted();

CREATE FUNCTION trace_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY[OLD.trace_id]);
    RETURN NULL;
END $$;

CREATE TRIGGER traces_trace_id_updated AFTER UPDATE OF trace_id ON traces
    FOR EACH ROW WHEN (OLD.trace_id IS DISTINCT FROM NEW.trace_id)
    EXECUTE FUNCTION trace_renamed();

CREATE FUNCTION traces_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM spans) THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'cannot truncate traces while spans name them',
            HINT = 'Truncate spans in the same command: TRUNCATE traces, spans.',
            CONSTRAINT = 'spans_trace_id_fkey', TABLE = 'traces';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER traces_truncated AFTER TRUNCATE ON traces
    FOR EACH STATEMENT EXECUTE FUNCTION traces_truncated();

-- The check at commit: the queued ids that spans still name must be in
-- traces, locked as at the statement.
CREATE FUNCTION span_trace_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing UUID;
BEGIN
    DELETE FROM span_trace_checks WHERE id = NEW.id;
    PERFORM FROM traces WHERE trace_id = ANY (NEW.trace_ids) ORDER BY trace_id FOR KEY SHARE;
    SELECT id INTO missing FROM unnest(NEW.trace_ids) AS id
    WHERE NOT EXISTS (SELECT FROM traces WHERE trace_id = id)
      AND EXISTS (SELECT FROM spans WHERE trace_id = id)
    LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('spans name trace %s, which is not in traces', missing),
            DETAIL = format('Key (trace_id)=(%s) is not present in table "traces".', missing),
            CONSTRAINT = 'spans_trace_id_fkey', TABLE = 'spans';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER spans_trace_id_fkey AFTER INSERT ON span_trace_checks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION span_trace_check();
