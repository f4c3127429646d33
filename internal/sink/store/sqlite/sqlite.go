// Package sqlite is the single-file store: modernc.org/sqlite (pure Go, so
// the sink image needs no C library), in WAL mode, one transaction per
// batch.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // Registers the "sqlite" driver.

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

var _ store.Store = (*Store)(nil)

// readerMmapSize bounds how much of the file each reading connection maps:
// address space, not memory; the pages touched are the kernel's page cache,
// as they would be with reads.
const readerMmapSize = 1 << 30

// walCheckpointPages is how many WAL pages a commit leaves before it
// checkpoints them into the database (SQLite's default is 1000).
const walCheckpointPages = 4000

// readerConns bounds the reading connections, each with its own page cache.
const readerConns = 4

//go:embed schema/*.sql
var schemaFS embed.FS

// Store keeps records in one SQLite file. Batches are written on a
// connection of their own driven through SQLite's C API (conn.go);
// migrations, compaction and pruning use a database/sql pool of one
// connection. writeMu serialises the write transactions of both, so they
// queue in Go instead of failing with SQLITE_BUSY; reads use their own
// pool and, thanks to WAL, never wait for a write. The queries are those
// the SQL stores share (sqlquery), run on the reading pool.
type Store struct {
	sqlquery.Queries
	writeMu    sync.Mutex
	batches    *conn      // the batch writer's connection
	stmts      statements // prepared on batches
	writer     *sql.DB
	runStmt    *sql.Stmt // insert_run on writer
	reader     *sql.DB
	pageSize   int
	compaction compaction
	closed     atomic.Bool
}

// Open opens or creates the database at path and brings its schema up to
// date. busyTimeout bounds how long a connection waits for another process
// holding the file (a second sink by mistake, or the sqlite3 shell).
func Open(ctx context.Context, path string, busyTimeout time.Duration) (*Store, error) {
	// The two pools would open two separate in-memory databases.
	if path == "" || path == ":memory:" || strings.Contains(path, "mode=memory") {
		return nil, fmt.Errorf("%w: sqlite needs a file path (the memory store keeps data in memory)", store.ErrInvalid)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// synchronous=NORMAL: in WAL mode a commit survives a process crash and
	// only a power loss can undo the last commits, never corrupt the file;
	// FULL would add an fsync per batch for that last-seconds window.
	// wal_autocheckpoint: a checkpoint copies each page once however many
	// commits rewrote it since the last one; with random trace ids the same
	// index pages are rewritten every few batches, so checkpointing every
	// 4000 pages (a WAL of up to 16 MiB) instead of every 1000 cut the
	// write cost by a sixth (BenchmarkWriteSpansCPU/RandomIDs: 42-44k to
	// 51k spans per CPU-second; 16000 pages gave 53k).
	pragmas := []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"journal_mode(WAL)", "synchronous(NORMAL)", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages)}
	q := url.Values{"_txlock": {"immediate"}, "_pragma": pragmas}
	file := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	s := &Store{}
	s.Queries = sqlquery.New(&dialect, &tables, sqlquery.DB{Open: s.open, Query: s.query, Wrap: wrap},
		s.aggregateRuns, s.aggregatePoints)
	var err error
	if s.writer, err = sql.Open("sqlite", file+q.Encode()); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writer.SetMaxOpenConns(1)
	// Readers map the file instead of reading it page by page: a page cache
	// of their own is dropped whenever a write commits, and an aggregation
	// reads thousands of pages, whose read calls took half its time.
	// Writers keep plain I/O.
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", readerMmapSize))
	if s.reader, err = sql.Open("sqlite", file+q.Encode()); err != nil {
		_ = s.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.reader.SetMaxOpenConns(readerConns)
	if err := s.init(ctx, path, pragmas); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return s, nil
}

// init brings the schema up to date, then opens the batch writer's
// connection, whose statements need the tables.
func (s *Store) init(ctx context.Context, path string, pragmas []string) error {
	if err := migrate(ctx, s.writer); err != nil {
		return err
	}
	var err error
	if s.pageSize, err = pageSize(ctx, s.writer); err != nil {
		return err
	}
	if s.runStmt, err = s.writer.PrepareContext(ctx, insertRunSQL()); err != nil {
		return err
	}
	if s.batches, err = openConn(path, pragmas); err != nil {
		return err
	}
	return s.stmts.prepare(s.batches)
}

// migrate applies the embedded schema files whose number is above the
// database's user_version, each in its own transaction with the version
// bump and the data the file's afterSchema step fills in, so a crash
// leaves a database at some whole version.
func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	names, err := fs.Glob(schemaFS, "schema/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for i, name := range names {
		if i+1 <= version {
			continue
		}
		body, err := schemaFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := applyMigration(ctx, db, string(body), afterSchema[name], i+1); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, body string, fill func(context.Context, *sql.Tx) error, version int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if fill != nil {
		if err := fill(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	return tx.Commit()
}

// Capabilities reports that the sqlite store implements the whole contract.
func (s *Store) Capabilities() store.Capabilities { return store.Capabilities{} }

// Close closes both pools; it is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var errs []error
	if s.batches != nil {
		s.stmts.close()
		errs = append(errs, s.batches.close())
	}
	if s.runStmt != nil {
		errs = append(errs, s.runStmt.Close())
	}
	errs = append(errs, s.writer.Close(), s.reader.Close())
	return errors.Join(errs...)
}

// open fails once the store is closed.
func (s *Store) open(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("sqlite: %w", store.ErrClosed)
	}
	return ctx.Err()
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
