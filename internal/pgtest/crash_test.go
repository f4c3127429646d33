package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// An immediate shutdown writes no checkpoint, so the rows committed since
// the last one come back only through WAL replay; the server's log says it
// recovered, which a fast-mode Stop would not make it do.
func TestCrashThenStartRecoversCommittedRowsFromTheWAL(t *testing.T) {
	srv := NewDurable(t)
	url := srv.NewDatabase(t)
	exec := func(sql string) error {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close(context.Background()) }()
		_, err = conn.Exec(t.Context(), sql)
		return err
	}
	if err := exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Crash(); err != nil {
		t.Fatal(err)
	}
	if err := exec("SELECT 1"); err == nil {
		t.Fatal("a crashed server answered")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := exec("DO $$ BEGIN IF (SELECT count(*) FROM t) <> 2 THEN RAISE 'rows lost'; END IF; END $$"); err != nil {
		t.Errorf("after the crash: %v", err)
	}
	log, err := os.ReadFile(filepath.Join(srv.dir, "postgres.log"))
	if err != nil || !strings.Contains(string(log), "automatic recovery in progress") {
		t.Errorf("the server's log shows no crash recovery (%v):\n%s", err, log)
	}
}
