package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func query(t *testing.T, url string) (int, error) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var n int
	err = conn.QueryRow(t.Context(), "SELECT count(*) FROM t").Scan(&n)
	return n, err
}

func TestDatabasesAreFreshAndSeparate(t *testing.T) {
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	conn, err := pgx.Connect(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(t.Context(), "CREATE TABLE t (x int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if n, err := query(t, a); err != nil || n != 1 {
		t.Errorf("database a: %d rows, %v; want 1", n, err)
	}
	if _, err := query(t, b); err == nil {
		t.Error("database b sees database a's table")
	}
}

func TestStopThenStartKeepsDataAndPort(t *testing.T) {
	srv := pgtest.New(t)
	url := srv.NewDatabase(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close(t.Context())
	port := srv.Port()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := query(t, url); err == nil {
		t.Error("a stopped server answered")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if n, err := query(t, url); err != nil || n != 2 || srv.Port() != port {
		t.Errorf("after restart: %d rows, %v, port %d; want 2 rows on port %d", n, err, srv.Port(), port)
	}
}
