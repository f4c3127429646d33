package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Trace listings, filtered or not, must read traces in the listing order
// from an index and stop after the limit: sorting every matching trace in a
// temporary b-tree first cost 84 ms per filtered listing at 100k traces.
func TestTraceListingsReadAnIndexInListingOrder(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for name, q := range map[string]store.TraceQuery{
		"all":       {Limit: 10},
		"by status": {Limit: 10, Status: store.TraceCompleted},
		"by status, name and attribute": {Limit: 10, Status: store.TraceCompleted, Name: "request",
			Attributes: store.AttributeFilter{"service.name": "loadgen"}},
		"by name in a time range": {Limit: 10, Name: "request",
			Time: store.TimeRange{From: time.Unix(1_700_000_000, 0), To: time.Unix(1_700_000_600, 0)}},
	} {
		st := dialect.ListTraces(traceCols, q)
		rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+st.SQL, st.Args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		_ = rows.Close()
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "TEMP B-TREE") || !strings.Contains(text, "USING INDEX idx_traces_") {
			t.Errorf("%s: the plan sorts or reads no index:\n%s", name, text)
		}
	}
}
