package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

// Version 5 keys spans by (trace_id, span_id): spans that version 4 stored
// are still read by trace and deduplicated, and a span id that another
// trace uses too is no longer taken for a duplicate.
func TestOpeningAVersion4DatabaseKeysSpansByTrace(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn := createVersion(t, url, 4)
	defer func() { _ = conn.Close(context.Background()) }()
	start := time.Unix(1_700_000_000, 0).UTC()
	old := make([]store.Span, 0, 30)
	for i := range 30 {
		sp := store.Span{TraceID: fmt.Sprintf("%032x", 1+i/10), SpanID: fmt.Sprintf("%016x", i+1), Name: "op",
			Kind: "internal", StartTime: start.Add(time.Duration(i) * time.Millisecond), Status: store.SpanStatusOK}
		sp.EndTime = sp.StartTime.Add(time.Millisecond)
		old = append(old, sp)
	}
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
	// An old span written again changes nothing; a new trace whose span
	// reuses an old span's id is stored beside it.
	reused := old[0]
	reused.TraceID = fmt.Sprintf("%032x", 99)
	if err := s.Write(t.Context(), &store.Batch{Spans: []store.Span{old[5], reused}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id    string
		spans int
	}{{old[0].TraceID, 10}, {old[20].TraceID, 10}, {reused.TraceID, 1}} {
		got, err := s.GetTrace(t.Context(), tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Spans) != tc.spans || got.Trace.SpanCount != tc.spans {
			t.Errorf("trace %s: %d spans, span_count %d; want %d", tc.id, len(got.Spans), got.Trace.SpanCount, tc.spans)
		}
	}
	var read []store.Span
	if err := s.ReadAll(t.Context(), 7, func(b *store.Batch) error {
		read = append(read, b.Spans...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(read) != 31 {
		t.Errorf("ReadAll read %d spans, want 31", len(read))
	}
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
