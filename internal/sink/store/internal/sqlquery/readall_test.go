package sqlquery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// fakeDB answers the page statements of ReadAll from keys held in memory,
// as a database would with "key > after ORDER BY key LIMIT n", and records
// each statement's parameters.
type fakeDB struct {
	keys  map[string][][]string // table: the records' keys, in key order
	calls []string
	fail  error
}

func (f *fakeDB) query(_ context.Context, sql string, args ...any) (Rows, error) {
	params := make([]string, 0, len(args))
	for _, a := range args {
		params = append(params, fmt.Sprint(a))
	}
	f.calls = append(f.calls, strings.Join(params, ","))
	if f.fail != nil {
		return nil, f.fail
	}
	table := strings.Fields(sql[strings.Index(sql, " FROM ")+6:])[0]
	after, limit := params[:len(params)-1], args[len(args)-1].(int)
	var page [][]string
	for _, k := range f.keys[table] {
		if len(page) < limit && slices.Compare(k, after) > 0 {
			page = append(page, k)
		}
	}
	return &fakeRows{rows: page}, nil
}

type fakeRows struct {
	rows [][]string
	i    int
}

func (r *fakeRows) Next() bool   { r.i++; return r.i <= len(r.rows) }
func (r *fakeRows) Err() error   { return nil }
func (r *fakeRows) Close() error { return nil }

func (r *fakeRows) Scan(dest ...any) error {
	for i, d := range dest {
		*d.(*string) = r.rows[r.i-1][i]
	}
	return nil
}

func fakeQueries(db *fakeDB) Queries {
	d := Dialect{Param: func(n int) string { return "$" + strconv.Itoa(n) }, ID: func(p string) string { return p },
		FirstID: "0"}
	t := Tables{
		Spans: Table[store.Span]{Cols: "trace_id, span_id", Read: func(sc Scanner) (sp store.Span, err error) {
			return sp, sc.Scan(&sp.TraceID, &sp.SpanID)
		}},
		Events: Table[store.Event]{Cols: "event_id", Read: func(sc Scanner) (e store.Event, err error) {
			return e, sc.Scan(&e.EventID)
		}},
		Metrics: Table[store.Metric]{Cols: "metric_id", Read: func(sc Scanner) (m store.Metric, err error) {
			return m, sc.Scan(&m.MetricID)
		}},
	}
	return New(&d, &t, DB{Open: func(ctx context.Context) error { return ctx.Err() }, Query: db.query,
		Wrap: func(what string, err error) error { return fmt.Errorf("fake: %s: %w", what, err) }}, nil, nil)
}

func TestReadAllPagesEachTableAfterTheLastKeyItRead(t *testing.T) {
	db := &fakeDB{keys: map[string][][]string{
		"spans":  {{"1", "a"}, {"1", "b"}, {"2", "a"}, {"3", "c"}, {"3", "d"}},
		"events": {{"5"}, {"6"}, {"7"}},
	}}
	q := fakeQueries(db)
	var got []string
	err := q.ReadAll(t.Context(), 2, func(b *store.Batch) error {
		got = append(got, fmt.Sprintf("%d spans %d events %d metrics", len(b.Spans), len(b.Events), len(b.Metrics)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2 spans 0 events 0 metrics", "2 spans 0 events 0 metrics", "1 spans 0 events 0 metrics",
		"0 spans 2 events 0 metrics", "0 spans 1 events 0 metrics"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("batches (-want +got):\n%s", d)
	}
	// Each page starts after the last key read; an empty page ends a table.
	wantCalls := []string{"0,,2", "1,b,2", "3,c,2", "3,d,2", "0,2", "6,2", "7,2", "0,2", "0,2"}
	if d := cmp.Diff(wantCalls, db.calls); d != "" {
		t.Errorf("page parameters (-want +got):\n%s", d)
	}
}

func TestReadAllReturnsFnsErrorAsIsAndWrapsTheDatabases(t *testing.T) {
	stop := errors.New("stop")
	db := &fakeDB{keys: map[string][][]string{"events": {{"5"}}}}
	q := fakeQueries(db)
	if err := q.ReadAll(t.Context(), 2, func(*store.Batch) error { return stop }); err != stop {
		t.Errorf("ReadAll with a failing fn: %v, want fn's error itself", err)
	}
	db.fail = errors.New("connection lost")
	err := q.ReadAll(t.Context(), 2, func(*store.Batch) error { return nil })
	if !errors.Is(err, db.fail) || err.Error() != "fake: read all: connection lost" {
		t.Errorf("ReadAll on a failing database: %v", err)
	}
	if err := q.ReadAll(t.Context(), 0, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("batch size 0: %v, want ErrInvalid", err)
	}
}
