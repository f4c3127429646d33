package loadgen

import (
	"testing"

	collectorlogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"
)

// Every request of a log template decodes, and no two records of any two
// requests share a time, so none is stored as another's copy.
func TestLogRequestsAreDistinct(t *testing.T) {
	tmpl, err := LogTemplateOf(50, 4)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	var buf []byte
	for n := uint64(0); n < 20; n++ {
		buf = tmpl.Request(n, buf)
		req := &collectorlogs.ExportLogsServiceRequest{}
		if err := proto.Unmarshal(buf, req); err != nil {
			t.Fatal(err)
		}
		records := req.GetResourceLogs()[0].GetScopeLogs()[0].GetLogRecords()
		if len(records) != 50 || len(records[0].GetAttributes()) != 4 {
			t.Fatalf("request %d: %d records", n, len(records))
		}
		for _, lr := range records {
			if seen[lr.GetTimeUnixNano()] {
				t.Fatalf("request %d repeats time %d", n, lr.GetTimeUnixNano())
			}
			seen[lr.GetTimeUnixNano()] = true
		}
	}
}
