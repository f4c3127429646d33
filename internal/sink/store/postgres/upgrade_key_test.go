package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// Version 5 keys spans by (trace_id, span_id): spans that version 4 stored
// are still read by trace and deduplicated, and a span id that another
// trace uses too is no longer taken for a duplicate.
func TestOpeningAVersion4DatabaseKeysSpansByTrace(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn := createVersion(t, url, 4)
	defer func() { _ = conn.Close(context.Background()) }()
	old := storetest.UpgradeSpans()
	for tr := range 3 {
		if _, err := conn.Exec(t.Context(), `INSERT INTO traces (trace_id, start_time, end_time, duration, status, span_count)
			VALUES ($1, $2, $3, 0, 'ok', 10)`, old[tr*10].TraceID, old[tr*10].StartTime, old[tr*10+9].EndTime); err != nil {
			t.Fatal(err)
		}
	}
	for _, sp := range old {
		if _, err := conn.Exec(t.Context(), `INSERT INTO spans (span_id, trace_id, name, kind, start_time, end_time, duration, status)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`, sp.SpanID, sp.TraceID, sp.Name, sp.Kind, sp.StartTime, sp.EndTime, sp.Status); err != nil {
			t.Fatal(err)
		}
	}

	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storetest.CheckSpansKeyedByTrace(t, s, old)
	var indexes []string
	rows, err := conn.Query(t.Context(), "SELECT indexdef FROM pg_indexes WHERE tablename = 'spans' AND indexdef NOT LIKE '%USING gin%' ORDER BY indexname")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, def)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE INDEX idx_spans_parent_span_id ON public.spans USING btree (parent_span_id)",
		"CREATE INDEX idx_spans_start_time ON public.spans USING btree (start_time)",
		"CREATE UNIQUE INDEX spans_pkey ON public.spans USING btree (trace_id, span_id)",
	}
	if !slices.Equal(indexes, want) {
		t.Errorf("indexes on spans:\n%v\nwant\n%v", indexes, want)
	}
}
