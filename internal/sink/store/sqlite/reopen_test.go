package sqlite_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

func TestReopeningKeepsDataAndSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telemetry.db")
	s, err := sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(100, 0)
	b := &store.Batch{Spans: []store.Span{{TraceID: "0123456789abcdef0123456789abcdef",
		SpanID: "0123456789abcdef", Name: "root", StartTime: ts, EndTime: ts}}}
	if err := s.Write(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path, time.Second)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() { _ = s.Close() }()
	if _, err := s.GetTrace(t.Context(), b.Spans[0].TraceID); err != nil {
		t.Errorf("trace after reopen: %v", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var version int
	var mode string
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if version != sqlite.SchemaVersion() || mode != "wal" {
		t.Errorf("user_version %d, journal_mode %q; want %d (the schema files) and wal", version, mode, sqlite.SchemaVersion())
	}
}

func TestOpenCreatesTheDirectoryAndRefusesMemoryPaths(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "new", "dir", "t.db"), time.Second)
	if err != nil {
		t.Fatalf("Open in a missing directory: %v", err)
	}
	_ = s.Close()
	for _, path := range []string{"", ":memory:", "file:x?mode=memory"} {
		if _, err := sqlite.Open(t.Context(), path, time.Second); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Open(%q): %v, want ErrInvalid", path, err)
		}
	}
}
