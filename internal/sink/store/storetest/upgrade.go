package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// UpgradeSpans are three traces of ten spans for a store's upgrade test to
// insert, as an older schema stored them, before opening the store on them
// and calling CheckSpansKeyedByTrace.
func UpgradeSpans() []store.Span {
	start := time.Unix(1_700_000_000, 0).UTC()
	spans := make([]store.Span, 0, 30)
	for i := range 30 {
		sp := store.Span{TraceID: fmt.Sprintf("%032x", 1+i/10), SpanID: fmt.Sprintf("%016x", i+1), Name: "op",
			Kind: "internal", StartTime: start.Add(time.Duration(i) * time.Millisecond), Status: store.SpanStatusOK,
			Attributes: store.Attributes{}, Resource: store.Attributes{}}
		sp.EndTime = sp.StartTime.Add(time.Millisecond)
		spans = append(spans, sp)
	}
	return spans
}

// CheckSpansKeyedByTrace checks a store opened on a database that holds
// UpgradeSpans with their trace rows: an old span written again changes
// nothing, a new trace whose span reuses an old span's id is stored beside
// it, every trace reads back whole, and ReadAll pages through all spans.
func CheckSpansKeyedByTrace(t *testing.T, s store.Store, old []store.Span) {
	t.Helper()
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
}

// SchemaFiles reads the schema files that make version n of the store
// under test: the first n of schema/*.sql in its package directory, where
// go test runs its tests, in order.
func SchemaFiles(t *testing.T, n int) []string {
	t.Helper()
	files, err := filepath.Glob("schema/*.sql")
	if err != nil || len(files) < n {
		t.Fatalf("schema files %v: %v", files, err)
	}
	slices.Sort(files)
	bodies := make([]string, 0, n)
	for _, f := range files[:n] {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(body))
	}
	return bodies
}

// CheckLogsAfterUpgrade checks a store opened on a database written before
// log records were kept (schema 6, holding one event, event(1, ...) at 5 ms):
// the event is still there, and log records are written and queried.
func CheckLogsAfterUpgrade(t *testing.T, s store.Store) {
	t.Helper()
	events := must[[]store.Event](t)(s.QueryEvents(ctx(t), store.EventQuery{}))
	check(t, "the event written before", []string{eventID(1)}, eventIDs(events))
	l := logRecord(1, "after the upgrade", 9, 10)
	write(t, s, &store.Batch{Logs: []store.LogRecord{l}})
	check(t, "log records", []store.LogRecord{l}, must[[]store.LogRecord](t)(s.QueryLogs(ctx(t), store.LogQuery{})))
}

// UpgradeEvent is the event CheckLogsAfterUpgrade expects.
func UpgradeEvent() store.Event { return event(1, 0, "log", "before", 5) }

func eventIDs(events []store.Event) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, e.EventID)
	}
	return out
}
