package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// statements are prepared once on the writer's single connection and bound
// to each write transaction with tx.Stmt.
type statements struct {
	insertSpan, insertEvent, insertMetric, insertRun, selectTraces, upsertTrace *sql.Stmt
}

func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	for name, p := range map[string]**sql.Stmt{
		"insert_span": &st.insertSpan, "insert_event": &st.insertEvent,
		"insert_metric": &st.insertMetric, "insert_run": &st.insertRun, "select_traces": &st.selectTraces,
		"upsert_trace": &st.upsertTrace,
	} {
		body, err := sqlFS.ReadFile("sql/" + name + ".sql")
		if err != nil {
			return err
		}
		if name == "select_traces" {
			body = bytes.Replace(body, []byte("(?)"), []byte("(?"+strings.Repeat(", ?", traceLookup-1)+")"), 1)
		}
		if *p, err = db.PrepareContext(ctx, string(body)); err != nil {
			return fmt.Errorf("prepare %s: %w", name, err)
		}
	}
	return nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.insertSpan, st.insertEvent, st.insertMetric, st.insertRun, st.selectTraces, st.upsertTrace} {
		if s != nil {
			_ = s.Close()
		}
	}
}
