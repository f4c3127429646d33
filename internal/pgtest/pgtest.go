// Package pgtest gives tests a real, throwaway PostgreSQL: a fresh database
// per test on one server shared by the whole test binary.
//
// When TELEMETRY_TEST_POSTGRES_DSN is set, databases are created on that
// server. Otherwise the package runs initdb into a temporary directory and
// starts PostgreSQL on a free port of 127.0.0.1 (and a Unix socket in that
// directory), with durability switched off for speed. Running as root, the
// server runs as the postgres user, because PostgreSQL refuses root.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// then pgtest.NewDatabase(t) in each test. New starts a private server that
// a test may Stop and Start, to check recovery from an outage; NewDurable
// one that a test may also Crash.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable holding an existing server's URL, whose user
// may create databases.
const EnvDSN = "TELEMETRY_TEST_POSTGRES_DSN"

var shared struct {
	sync.Mutex
	inMain bool
	srv    *Server
	err    error
}

// Main runs the tests, then stops the shared server if one was started.
func Main(m *testing.M) {
	shared.Lock()
	shared.inMain = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.srv != nil {
		_ = shared.srv.Stop()
		shared.srv.remove()
	}
	shared.Unlock()
	os.Exit(code)
}

// Shared returns the test binary's server: the one named by EnvDSN, or a
// local one started on first use and stopped by Main.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.inMain {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain, so the shared server is stopped after the tests")
	}
	if shared.srv == nil && shared.err == nil {
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			shared.srv = &Server{adminURL: dsn, external: true}
		} else {
			shared.srv, shared.err = start(false)
		}
	}
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.srv
}

// NewDatabase creates a uniquely named, empty database on the shared
// server, drops it when the test ends, and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return Shared(t).NewDatabase(t)
}

// NewDatabase creates a uniquely named database on s for the test and
// returns its URL; the database is dropped when the test ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := dbName(t.Name())
	if err := s.admin(t.Context(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		// The test's own cleanups, registered later, have closed its pools.
		err := s.admin(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil && !s.stopped() {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(s.adminURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// dbName makes a name from the test's, short enough for PostgreSQL's 63
// bytes and unique through a random suffix.
func dbName(test string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	base := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(test), "_"), "_")
	if len(base) > 40 {
		base = base[len(base)-40:]
	}
	return "t_" + base + "_" + hex.EncodeToString(b)
}

func (s *Server) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.adminURL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	_, err = conn.Exec(ctx, sql)
	return err
}
