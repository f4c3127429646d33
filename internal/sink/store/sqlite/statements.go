package sqlite

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// statements are the batch writer's, prepared once on its connection.
type statements struct {
	insertSpan, insertEvent, insertMetric, insertRun, selectTraces, upsertTrace, insertLog *stmt
}

func (st *statements) prepare(c *conn) error {
	for name, p := range map[string]**stmt{
		"insert_span": &st.insertSpan, "insert_event": &st.insertEvent,
		"insert_metric": &st.insertMetric, "insert_run": &st.insertRun, "select_traces": &st.selectTraces,
		"upsert_trace": &st.upsertTrace, "insert_log": &st.insertLog,
	} {
		body, err := sqlFS.ReadFile("sql/" + name + ".sql")
		if err != nil {
			return err
		}
		query := string(body)
		if name == "select_traces" {
			query = strings.Replace(query, "(?)", "(?"+strings.Repeat(", ?", traceLookup-1)+")", 1)
		}
		if *p, err = c.prepare(query); err != nil {
			return fmt.Errorf("prepare %s: %w", name, err)
		}
	}
	return nil
}

func (st *statements) close() {
	for _, s := range []*stmt{st.insertSpan, st.insertEvent, st.insertMetric, st.insertRun, st.selectTraces, st.upsertTrace, st.insertLog} {
		if s != nil {
			s.finalize()
		}
	}
}
