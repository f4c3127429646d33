package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// The rule of the reference's foreign key from spans to traces, which
// triggers check per statement since schema version 6: every span names a
// stored trace, checked at commit, with the key's locks and error.

const (
	traceA = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
	traceB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
)

// migrated opens a store on a fresh database, so that it is at the latest
// schema, and returns connections to it for hand-written SQL.
func migrated(t *testing.T, conns int) []*pgx.Conn {
	_, out := migratedAt(t, conns)
	return out
}

// migratedAt is migrated, also returning the database's URL.
func migratedAt(t *testing.T, conns int) (string, []*pgx.Conn) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), &store.Batch{}); err != nil { // migrates
		t.Fatal(err)
	}
	_ = s.Close()
	out := make([]*pgx.Conn, conns)
	for i := range out {
		if out[i], err = pgx.Connect(t.Context(), url); err != nil {
			t.Fatal(err)
		}
		c := out[i]
		t.Cleanup(func() { _ = c.Close(context.Background()) })
	}
	return url, out
}

func exec(t *testing.T, c *pgx.Conn, sql string) error {
	t.Helper()
	_, err := c.Exec(t.Context(), sql)
	return err
}

func must(t *testing.T, c *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, sql := range sqls {
		if err := exec(t, c, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

func insertTrace(id string) string {
	return "INSERT INTO traces (trace_id, start_time, end_time, duration, status, span_count) VALUES ('" +
		id + "', now(), now(), 0, 'completed', 1)"
}

func insertSpan(traceID, spanID string) string {
	return "INSERT INTO spans (span_id, trace_id, name, kind, start_time, end_time, duration, status) VALUES ('" +
		spanID + "', '" + traceID + "', 's', 'internal', now(), now(), 0, 'ok')"
}

// wantViolation checks that err is the foreign key's error: SQLSTATE 23503
// naming spans_trace_id_fkey, with a message that says which trace.
func wantViolation(t *testing.T, err error, what, mentions string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" || pgErr.ConstraintName != "spans_trace_id_fkey" {
		t.Fatalf("%s: got %v, want a foreign_key_violation of spans_trace_id_fkey", what, err)
	}
	if !strings.Contains(pgErr.Message+" "+pgErr.Detail+" "+pgErr.Hint, mentions) {
		t.Errorf("%s: error %q (%s %s) does not mention %q", what, pgErr.Message, pgErr.Detail, pgErr.Hint, mentions)
	}
}

func count(t *testing.T, c *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := c.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestASpanOfNoStoredTraceIsRefusedAtCommit(t *testing.T) {
	c := migrated(t, 1)[0]
	must(t, c, "BEGIN", insertSpan(traceA, "0000000000000001"))
	wantViolation(t, exec(t, c, "COMMIT"), "commit of a span without its trace", traceA)
	if n := count(t, c, "SELECT count(*) FROM spans"); n != 0 {
		t.Errorf("%d spans stored after the refused commit, want 0", n)
	}

	// Outside a transaction the statement is its own transaction.
	wantViolation(t, exec(t, c, insertSpan(traceA, "0000000000000001")), "a lone insert", traceA)

	// Immediate, as SET CONSTRAINTS makes a deferred key.
	must(t, c, "BEGIN", "SET CONSTRAINTS spans_trace_id_fkey IMMEDIATE")
	wantViolation(t, exec(t, c, insertSpan(traceA, "0000000000000001")), "an insert with the check immediate", traceA)
	must(t, c, "ROLLBACK")
}

func TestSpansMayPrecedeTheirTraceInATransaction(t *testing.T) {
	c := migrated(t, 1)[0]
	// The order of sinks before schema version 6: spans, then the trace.
	must(t, c, "BEGIN", insertSpan(traceA, "0000000000000001"), insertSpan(traceA, "0000000000000002"),
		insertTrace(traceA), "COMMIT")
	// The sink's order now, with a trace already stored.
	must(t, c, insertTrace(traceB), "BEGIN", insertSpan(traceB, "0000000000000003"), "COMMIT")
	if n := count(t, c, "SELECT count(*) FROM spans"); n != 3 {
		t.Errorf("%d spans stored, want 3", n)
	}
	if n := count(t, c, "SELECT count(*) FROM span_trace_checks"); n != 0 {
		t.Errorf("%d checks left queued after commit, want 0", n)
	}
}

func TestATraceThatSpansNameCannotGo(t *testing.T) {
	c := migrated(t, 1)[0]
	must(t, c, insertTrace(traceA), insertSpan(traceA, "0000000000000001"))

	wantViolation(t, exec(t, c, "DELETE FROM traces"), "deleting a trace with spans", traceA)
	wantViolation(t, exec(t, c, "UPDATE traces SET trace_id = '"+traceB+"'"), "changing a trace's id", traceA)
	wantViolation(t, exec(t, c, "UPDATE spans SET trace_id = '"+traceB+"'"), "moving a span to no trace", traceB)
	wantViolation(t, exec(t, c, "TRUNCATE traces"), "truncating traces alone", "TRUNCATE traces, spans")
	wantViolation(t, exec(t, c, "TRUNCATE traces CASCADE"), "truncating traces with CASCADE", "TRUNCATE traces, spans")
	if n := count(t, c, "SELECT count(*) FROM traces"); n != 1 {
		t.Fatalf("%d traces after the refused changes, want 1", n)
	}

	// Deferred: a trace and then its spans, in one transaction.
	must(t, c, "BEGIN", "DELETE FROM traces", "DELETE FROM spans", "COMMIT")
	must(t, c, insertTrace(traceA), insertSpan(traceA, "0000000000000001"), "TRUNCATE traces, spans")
	// A trace's id may change with its spans'.
	must(t, c, insertTrace(traceA), insertSpan(traceA, "0000000000000001"), "BEGIN",
		"UPDATE traces SET trace_id = '"+traceB+"'", "UPDATE spans SET trace_id = '"+traceB+"'", "COMMIT")
	if n := count(t, c, "SELECT count(*) FROM spans WHERE trace_id = '"+traceB+"'"); n != 1 {
		t.Errorf("%d spans moved with their trace, want 1", n)
	}
}

// As with the foreign key, a transaction adding spans holds their trace:
// another that deletes it waits, and then fails because the spans are there.
func TestDeletingATraceWaitsForATransactionAddingItsSpans(t *testing.T) {
	conns := migrated(t, 3)
	adder, deleter, watcher := conns[0], conns[1], conns[2]
	must(t, adder, insertTrace(traceA))
	must(t, adder, "BEGIN", insertSpan(traceA, "0000000000000001"))

	must(t, deleter, "SET lock_timeout = '200ms'")
	err := exec(t, deleter, "DELETE FROM traces")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("deleting a trace another transaction adds spans to: got %v, want a lock timeout", err)
	}

	must(t, deleter, "SET lock_timeout = 0")
	pid := count(t, deleter, "SELECT pg_backend_pid()")
	done := make(chan error, 1)
	go func() { done <- exec(t, deleter, "DELETE FROM traces") }()
	waitForLockWait(t, watcher, fmt.Sprintf("pid = %d", pid))
	must(t, adder, "COMMIT")
	wantViolation(t, <-done, "deleting the trace once the spans committed", traceA)
	if n := count(t, adder, "SELECT count(*) FROM traces"); n != 1 {
		t.Errorf("%d traces, want 1", n)
	}
}

// waitForLockWait waits until a backend that matches where (a condition
// on pg_stat_activity) waits for a lock.
func waitForLockWait(t *testing.T, c *pgx.Conn, where string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for count(t, c, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "+where) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no backend where %s waited for a lock", where)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A REPEATABLE READ snapshot would not see spans committed after it was
// taken, so deleting traces there is refused with a message that says
// what to do instead; Prune runs in READ COMMITTED even where that is not
// the database's default.
func TestDeletingTracesOutsideReadCommittedIsRefused(t *testing.T) {
	url := pgtest.NewDatabase(t)
	admin, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	must(t, admin, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = ''repeatable read''', current_database()); END $$`)

	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	old := repeatSpans(0, 10)
	if err := s.Write(t.Context(), &store.Batch{Spans: old}); err != nil {
		t.Fatalf("writing in a repeatable-read database: %v", err)
	}
	r, err := s.Prune(t.Context(), old[0].EndTime.Add(time.Hour))
	if err != nil || r.Traces != 1 || r.Spans != 10 {
		t.Fatalf("prune in a repeatable-read database: %+v, %v; want 1 trace and 10 spans", r, err)
	}

	conn, err := pgx.Connect(t.Context(), url) // a new session, with the new default
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	must(t, conn, insertTrace(traceA))
	err = exec(t, conn, "DELETE FROM traces")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "0A000" || !strings.Contains(pgErr.Hint, "READ COMMITTED") {
		t.Fatalf("deleting traces in REPEATABLE READ: got %v, want a refusal that names READ COMMITTED", err)
	}
	must(t, conn, "DELETE FROM traces WHERE false", // deletes nothing: allowed
		"BEGIN ISOLATION LEVEL READ COMMITTED", "DELETE FROM traces", "COMMIT")
}

// A writer of this version and one that inserts a batch's spans before
// its traces (a staged retry, or a sink of version 5) may write the same
// spans at once: the second waits for the first's span keys and never
// holds a trace row the first needs, so both commit.
func TestWritersOfTheSameSpansInEitherOrderBothCommit(t *testing.T) {
	url, conns := migratedAt(t, 2)
	other, watcher := conns[0], conns[1]
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()

	batch := repeatSpans(0, 3)
	traceID := "00000000-0000-0000-0000-000000000007" // the batch's trace
	must(t, other, "BEGIN", insertSpan(traceID, batch[0].SpanID))
	done := make(chan error, 1)
	go func() { done <- s.Write(t.Context(), &store.Batch{Spans: batch}) }()
	// The sink's writer waits for the span key the other transaction holds.
	waitForLockWait(t, watcher, "datname = current_database()")
	must(t, other, insertTrace(traceID), "COMMIT")
	if err := <-done; err != nil {
		t.Fatalf("the sink's write of the same spans: %v", err)
	}
	tr, err := s.GetTrace(t.Context(), fmt.Sprintf("%032x", 7))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Spans) != 3 || tr.Trace.SpanCount != 1+2 {
		t.Errorf("%d spans, span count %d; want 3 spans, and the other's count of 1 plus the 2 new", len(tr.Spans), tr.Trace.SpanCount)
	}
	if n := count(t, watcher, "SELECT count(*) FROM span_trace_checks"); n != 0 {
		t.Errorf("%d checks left queued after the writes, want 0", n)
	}
}

// A batch repeating a stored span takes the staged path, which writes the
// spans before their traces: a trace new in it is checked at commit, and
// passes.
func TestAStagedBatchWithANewTraceCommits(t *testing.T) {
	s := open(t)
	first := repeatSpans(0, 10)
	if err := s.Write(t.Context(), &store.Batch{Spans: first}); err != nil {
		t.Fatal(err)
	}
	other := repeatSpans(100, 10)
	for i := range other {
		other[i].TraceID = fmt.Sprintf("%032x", 8)
	}
	if err := s.Write(t.Context(), &store.Batch{Spans: append(first[9:], other...)}); err != nil {
		t.Fatal(err)
	}
	wantSpans(t, s, 10)
	tr, err := s.GetTrace(t.Context(), fmt.Sprintf("%032x", 8))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Trace.SpanCount != 10 || len(tr.Spans) != 10 {
		t.Errorf("new trace: span count %d, %d spans stored; want 10 of each", tr.Trace.SpanCount, len(tr.Spans))
	}
}

// Version 6 replaces the foreign key with the triggers: a version-5
// database keeps its rows, and the rule holds for them.
func TestOpeningAVersion5DatabaseKeepsTheRuleForItsSpans(t *testing.T) {
	url := pgtest.NewDatabase(t)
	c := createVersion(t, url, 5)
	defer func() { _ = c.Close(context.Background()) }()
	must(t, c, insertTrace(traceA), insertSpan(traceA, "0000000000000001"))
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := s.Write(t.Context(), &store.Batch{}); err != nil { // migrates
		t.Fatal(err)
	}
	if n := count(t, c, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'spans'::regclass AND contype = 'f'"); n != 0 {
		t.Errorf("%d foreign keys left on spans, want 0", n)
	}
	if n := count(t, c, "SELECT count(*) FROM spans JOIN traces USING (trace_id)"); n != 1 {
		t.Errorf("%d spans with their trace after the upgrade, want 1", n)
	}
	wantViolation(t, exec(t, c, "DELETE FROM traces"), "deleting a trace stored before the upgrade", traceA)
	wantViolation(t, exec(t, c, insertSpan(traceB, "0000000000000002")), "a span without its trace", traceB)
}
