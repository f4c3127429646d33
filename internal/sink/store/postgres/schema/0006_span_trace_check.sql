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
--   DEFERRED): a transaction may add spans before their trace, as the sink
--   does, or delete a trace before its spans. A statement that leaves the
--   rule broken queues the trace ids concerned in span_trace_checks, and a
--   deferred constraint trigger checks them again at commit: one row and
--   one check per statement, whatever its number of spans.
-- * A violation is SQLSTATE 23503, foreign_key_violation, and names the
--   constraint spans_trace_id_fkey; SET CONSTRAINTS spans_trace_id_fkey
--   IMMEDIATE makes the check at the end of each statement.
-- Where they differ: deleting or renaming traces is refused outside READ
-- COMMITTED (a REPEATABLE READ or SERIALIZABLE snapshot would miss spans
-- that others committed meanwhile, which the key's own check sees);
-- TRUNCATE traces fails while spans keeps rows, CASCADE or not (TRUNCATE
-- traces, spans empties both); ALTER TABLE ... DISABLE TRIGGER USER turns
-- the rule off.
ALTER TABLE spans DROP CONSTRAINT spans_trace_id_fkey;

-- Transient: each row is deleted by its check, in the transaction that
-- queued it, so the table needs no WAL.
CREATE UNLOGGED TABLE span_trace_checks (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trace_ids UUID[] NOT NULL
);

-- span_trace_missing locks, FOR KEY SHARE and in the order given, the
-- traces of ids that are stored, and returns the ids, of those given, that
-- traces lacks and, unless spans_named says the caller knows they do,
-- spans still name. One statement, so that a trace is taken as stored only
-- if it is locked. Each id is looked up through the keys of both tables,
-- whatever the planner knows of them: a lateral subquery with a locking
-- clause and a scalar subquery are never turned into joins. With trace_id
-- = ANY (ids), plans made while traces was young scanned all of it, a few
-- milliseconds per batch; spans are probed only for the ids traces lacks.
CREATE FUNCTION span_trace_missing(ids UUID[], spans_named BOOLEAN) RETURNS UUID[] LANGUAGE plpgsql AS $$
DECLARE
    missing UUID[];
BEGIN
    WITH unlocked AS MATERIALIZED (
        SELECT u.id FROM unnest(ids) AS u(id)
        LEFT JOIN LATERAL (SELECT trace_id FROM traces WHERE trace_id = u.id FOR KEY SHARE) t ON true
        WHERE t.trace_id IS NULL
    )
    SELECT array_agg(id ORDER BY id) INTO missing FROM unlocked
    WHERE spans_named OR (SELECT true FROM spans WHERE spans.trace_id = unlocked.id LIMIT 1);
    RETURN missing;
END $$;

-- span_trace_enqueue queues ids, if any, for the check at commit.
CREATE FUNCTION span_trace_enqueue(ids UUID[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NOT NULL THEN
        INSERT INTO span_trace_checks (trace_ids) VALUES (ids);
    END IF;
END $$;

-- span_trace_queue queues, for the check at commit, the given ids that
-- break the rule now; ids must be sorted (the order traces are locked in).
CREATE FUNCTION span_trace_queue(ids UUID[], spans_named BOOLEAN) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_enqueue(span_trace_missing(ids, spans_named));
END $$;

-- span_trace_read_committed refuses a change to traces that this check cannot make
-- safely outside READ COMMITTED.
CREATE FUNCTION span_trace_read_committed(what TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE feature_not_supported USING
            MESSAGE = format('%s traces is allowed only in READ COMMITTED transactions', what),
            DETAIL = 'The check that no span names a trace that is gone would not see spans that other transactions commit after this one began.',
            HINT = 'Run it in a transaction begun with BEGIN ISOLATION LEVEL READ COMMITTED.',
            CONSTRAINT = 'spans_trace_id_fkey', TABLE = 'traces';
    END IF;
END $$;

CREATE FUNCTION spans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY(SELECT DISTINCT trace_id FROM new_spans ORDER BY 1), true);
    RETURN NULL;
END $$;

CREATE TRIGGER spans_trace_id_inserted AFTER INSERT ON spans
    REFERENCING NEW TABLE AS new_spans
    FOR EACH STATEMENT EXECUTE FUNCTION spans_inserted();

-- Moving a span to another trace, or changing a trace's id, is rare: row
-- triggers whose WHEN skips every other update.
CREATE FUNCTION span_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_queue(ARRAY[NEW.trace_id], true);
    RETURN NULL;
END $$;

CREATE TRIGGER spans_trace_id_updated AFTER UPDATE OF trace_id ON spans
    FOR EACH ROW WHEN (OLD.trace_id IS DISTINCT FROM NEW.trace_id)
    EXECUTE FUNCTION span_moved();

-- A deleted trace has nothing to lock: the statement queues those that
-- spans still name (none when it deletes their spans too, as Prune does).
CREATE FUNCTION traces_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named UUID[];
BEGIN
    IF EXISTS (SELECT FROM old_traces) THEN
        PERFORM span_trace_read_committed('deleting');
    END IF;
    SELECT array_agg(o.trace_id) INTO named FROM old_traces o
    WHERE (SELECT true FROM spans s WHERE s.trace_id = o.trace_id LIMIT 1)
      AND (SELECT true FROM traces t WHERE t.trace_id = o.trace_id) IS NULL;
    PERFORM span_trace_enqueue(named);
    RETURN NULL;
END $$;

CREATE TRIGGER traces_trace_id_deleted AFTER DELETE ON traces
    REFERENCING OLD TABLE AS old_traces
    FOR EACH STATEMENT EXECUTE FUNCTION traces_deleted();

CREATE FUNCTION trace_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM span_trace_read_committed('renaming');
    PERFORM span_trace_queue(ARRAY[OLD.trace_id], false);
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
-- traces, and are locked as at the statement.
CREATE FUNCTION span_trace_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing UUID[];
BEGIN
    DELETE FROM span_trace_checks WHERE id = NEW.id;
    missing := span_trace_missing(NEW.trace_ids, false);
    IF missing IS NOT NULL THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('spans name trace %s, which is not in traces', missing[1]),
            DETAIL = format('Key (trace_id)=(%s) is not present in table "traces".', missing[1]),
            CONSTRAINT = 'spans_trace_id_fkey', TABLE = 'spans';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER spans_trace_id_fkey AFTER INSERT ON span_trace_checks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION span_trace_check();
