package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// Version 4 rebuilds the JSONB indexes with jsonb_path_ops; the attribute
// filters, all containment tests, must still find rows through them.
func TestOpeningAVersion3DatabaseKeepsAttributeFiltersIndexed(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn := createVersion(t, url, 3)
	defer func() { _ = conn.Close(context.Background()) }()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	at := time.Unix(1_700_000_000, 0).UTC()
	sp := store.Span{TraceID: strings.Repeat("1", 32), SpanID: strings.Repeat("2", 16), Name: "s", Kind: "internal",
		StartTime: at, EndTime: at, Status: store.SpanStatusOK,
		Attributes: store.Attributes{"http.status_code": int64(500)}, Resource: store.Attributes{"service.name": "cart"}}
	if err := s.Write(t.Context(), &store.Batch{Spans: []store.Span{sp}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.QuerySpans(t.Context(), store.SpanQuery{Attributes: store.AttributeFilter{"http.status_code": "500", "service.name": "cart"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("filtered query after the upgrade: %d spans, %v; want 1", len(got), err)
	}

	var defs []string
	rows, err := conn.Query(t.Context(), "SELECT indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gin%' ORDER BY indexname")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	if len(defs) < 5 { // the five of version 3; later versions add their own
		t.Errorf("%d GIN indexes, want at least the 5 of version 3: %q", len(defs), defs)
	}
	for _, d := range defs {
		if !strings.Contains(d, "jsonb_path_ops") {
			t.Errorf("index not rebuilt with jsonb_path_ops: %s", d)
		}
	}
	// With sequential scans priced out, a containment filter of the shape
	// dialect.go builds must have an index to use.
	for col, index := range map[string]string{"attributes": "idx_spans_attributes", "resource": "idx_spans_resource"} {
		plan := explain(t, conn, "SELECT span_id FROM spans WHERE "+col+` @> '{"k": "v"}'::jsonb`)
		if !strings.Contains(plan, index) {
			t.Errorf("a filter on spans.%s does not use %s:\n%s", col, index, plan)
		}
	}
}

// explain returns the plan of sql with sequential scans priced out.
func explain(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(t.Context(), "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(t.Context(), "EXPLAIN "+sql)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
