package sqlite

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// conn is one SQLite connection driven through SQLite's C API (the pure-Go
// modernc.org/sqlite/lib) instead of database/sql: the batch writer's
// connection. Through database/sql every execution converted its
// arguments to driver values, allocated and freed C memory for each string
// and cleared its bindings again, which took a sixth of the write's CPU.
// Here strings are copied into an arena of C memory that is reused for
// every row, and bound without a copy (SQLITE_STATIC).
//
// A conn is not safe for concurrent use; the store serialises its writes.
type conn struct {
	tls   *libc.TLS
	db    uintptr
	arena arena
}

// openConn opens the database file at path and runs each pragma (without
// the PRAGMA keyword, as in "busy_timeout(5000)") on the new connection.
func openConn(path string, pragmas []string) (*conn, error) {
	c := &conn{tls: libc.NewTLS()}
	name, err := libc.CString(path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	out := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, out,
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = *(*uintptr)(cmem(out))
	if rc != sqlite3.SQLITE_OK {
		err := c.error(rc)
		_ = c.close()
		return nil, err
	}
	sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
	for _, p := range pragmas {
		if err := c.exec("PRAGMA " + p); err != nil {
			_ = c.close()
			return nil, fmt.Errorf("pragma %s: %w", p, err)
		}
	}
	return c, nil
}

// cmem turns an address in modernc's C memory (its libc allocator and the
// TLS stack, both mapped outside the Go heap) into a pointer. Go's garbage
// collector neither moves nor frees such memory, so the address stays
// valid until it is freed in C.
func cmem(p uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), p) }

// exec runs SQL text without arguments, any number of statements.
func (c *conn) exec(query string) error {
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, q)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.error(rc)
	}
	return nil
}

// prepare compiles one statement, to be run many times.
func (c *conn) prepare(query string) (*stmt, error) {
	q, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, q)
	out := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, q, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, out, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.error(rc)
	}
	return &stmt{c: c, p: *(*uintptr)(cmem(out))}, nil
}

// close closes the connection once its statements are finalized.
func (c *conn) close() error {
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.error(rc)
		}
		c.db = 0
	}
	c.arena.free(c.tls)
	c.tls.Close()
	return err
}

// sqliteError is a SQLite result code with the connection's message for it.
type sqliteError struct {
	code    int32 // the extended result code
	message string
}

func (e *sqliteError) Error() string { return fmt.Sprintf("%s (%d)", e.message, e.code) }

func (c *conn) error(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	return &sqliteError{code: rc, message: msg}
}

// stmt is a prepared statement of a conn. Arguments are bound by position
// (from 1) before each run; a run rebinds every argument it uses.
type stmt struct {
	c   *conn
	p   uintptr
	err error // the first failed bind since the last run
}

func (s *stmt) check(rc int32) {
	if rc != sqlite3.SQLITE_OK && s.err == nil {
		s.err = s.c.error(rc)
	}
}

func (s *stmt) int64(i int, v int64) {
	s.check(sqlite3.Xsqlite3_bind_int64(s.c.tls, s.p, int32(i), v))
}

func (s *stmt) float(i int, v float64) {
	s.check(sqlite3.Xsqlite3_bind_double(s.c.tls, s.p, int32(i), v))
}

func (s *stmt) null(i int) { s.check(sqlite3.Xsqlite3_bind_null(s.c.tls, s.p, int32(i))) }

// text binds v, copied into the arena: SQLite reads it during the run.
func (s *stmt) text(i int, v string) { s.bytes(i, unsafe.StringData(v), len(v), false) }

// texts binds vs as TEXT to the parameters from i on.
func (s *stmt) texts(i int, vs ...string) {
	for k, v := range vs {
		s.text(i+k, v)
	}
}

// jsonText binds JSON bytes as TEXT, the type the schema's JSON columns
// hold.
func (s *stmt) jsonText(i int, v []byte) { s.bytes(i, unsafe.SliceData(v), len(v), false) }

// blob binds v as a BLOB.
func (s *stmt) blob(i int, v []byte) { s.bytes(i, unsafe.SliceData(v), len(v), true) }

// bytes binds n bytes from src as TEXT or BLOB, copied into the arena and
// bound without a copy of SQLite's (SQLITE_STATIC).
func (s *stmt) bytes(i int, src *byte, n int, blob bool) {
	p := s.c.arena.copy(s.c.tls, src, n)
	bind := sqlite3.Xsqlite3_bind_text
	if blob {
		bind = sqlite3.Xsqlite3_bind_blob
	}
	s.check(bind(s.c.tls, s.p, int32(i), p, int32(n), 0))
}

// optFloat binds v, or NULL for NaN, which SQLite cannot store.
func (s *stmt) optFloat(i int, v float64) {
	if math.IsNaN(v) {
		s.null(i)
		return
	}
	s.float(i, v)
}

// exec runs a statement that returns no rows and reports how many rows it
// changed.
func (s *stmt) exec() (int64, error) {
	if err := s.query(func(*stmt) error { return nil }); err != nil {
		return 0, err
	}
	return int64(sqlite3.Xsqlite3_changes(s.c.tls, s.c.db)), nil
}

// query runs a statement and calls row for each row it returns; row reads
// the columns through s.
func (s *stmt) query(row func(*stmt) error) error {
	defer s.done()
	if s.err != nil {
		return s.err
	}
	for {
		switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.p); rc {
		case sqlite3.SQLITE_DONE:
			return nil
		case sqlite3.SQLITE_ROW:
			if err := row(s); err != nil {
				return err
			}
		default:
			return s.c.error(rc)
		}
	}
}

// done readies the statement for its next run and frees the arguments'
// copies.
func (s *stmt) done() {
	sqlite3.Xsqlite3_reset(s.c.tls, s.p)
	s.c.arena.reset()
	s.err = nil
}

func (s *stmt) isNull(col int) bool {
	return sqlite3.Xsqlite3_column_type(s.c.tls, s.p, int32(col)) == sqlite3.SQLITE_NULL
}

func (s *stmt) columnInt64(col int) int64 {
	return sqlite3.Xsqlite3_column_int64(s.c.tls, s.p, int32(col))
}

func (s *stmt) columnFloat(col int) float64 {
	return sqlite3.Xsqlite3_column_double(s.c.tls, s.p, int32(col))
}

// columnBytes copies a TEXT or BLOB column out of SQLite's memory.
func (s *stmt) columnBytes(col int) []byte {
	p := sqlite3.Xsqlite3_column_text(s.c.tls, s.p, int32(col))
	n := sqlite3.Xsqlite3_column_bytes(s.c.tls, s.p, int32(col))
	if p == 0 || n == 0 {
		return []byte{}
	}
	return append([]byte(nil), unsafe.Slice((*byte)(cmem(p)), n)...)
}

func (s *stmt) columnText(col int) string { return string(s.columnBytes(col)) }

func (s *stmt) finalize() {
	if s.p != 0 {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
		s.p = 0
	}
}

// arena is C memory that a statement's arguments are copied into, in
// chunks that stay allocated from run to run: a chunk is never moved while
// SQLite may still read from it.
type arena struct {
	chunks []chunk
	cur    int // the chunk being filled
}

type chunk struct {
	p         uintptr
	size, off int
}

const arenaChunk = 64 << 10

// copy places n bytes from src in the arena and returns their address,
// which is never 0 (SQLite reads a 0 address as NULL, even for "").
func (a *arena) copy(tls *libc.TLS, src *byte, n int) uintptr {
	for a.cur < len(a.chunks) && a.chunks[a.cur].size-a.chunks[a.cur].off < max(n, 1) {
		a.cur++
	}
	if a.cur == len(a.chunks) {
		size := max(arenaChunk, n)
		p := libc.Xmalloc(tls, libc.Tsize_t(size))
		if p == 0 {
			panic(errors.New("sqlite: out of C memory for statement arguments"))
		}
		a.chunks = append(a.chunks, chunk{p: p, size: size})
	}
	c := &a.chunks[a.cur]
	p := c.p + uintptr(c.off)
	if n > 0 {
		copy(unsafe.Slice((*byte)(cmem(p)), n), unsafe.Slice(src, n))
	}
	c.off += n
	return p
}

// reset makes the whole arena free again; a run's copies are dead once
// the statement is reset.
func (a *arena) reset() {
	for i := range a.chunks[:min(a.cur+1, len(a.chunks))] {
		a.chunks[i].off = 0
	}
	a.cur = 0
}

func (a *arena) free(tls *libc.TLS) {
	for _, c := range a.chunks {
		libc.Xfree(tls, c.p)
	}
	a.chunks, a.cur = nil, 0
}
