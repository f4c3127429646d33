//go:build bench

package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// logRecordsPerRequest and logAttributes shape the log ingest load: plain
// lines (a severity, a string body, attributes), as application logs are.
const (
	logRecordsPerRequest = 100
	logAttributes        = 4
)

// logResult is the log ingest of one store.
type logResult struct {
	records    uint64
	wall       time.Duration
	cpuSeconds float64
	refused    uint64
}

// measureLogIngest saturates the sink with log export requests over
// OTLP/gRPC for the configured time, waits until every acknowledged record
// is stored, and charges the sink the CPU it used meanwhile.
func measureLogIngest(t *testing.T, p benchParams, s *Sink) logResult {
	ctx := context.Background()
	tmpl, err := loadgen.LogTemplateOf(logRecordsPerRequest, logAttributes)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() float64 {
		v, err := s.metric(ctx, `sink_stored_records_total{signal="logs"}`)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := stored()
	cpu0, err := CPUSeconds(s.PID())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Options{GRPCAddr: s.GRPCAddr, Workers: p.workers, Duration: p.duration},
		"/v1/logs", tmpl.Request)
	if err != nil || res.Failed > 0 {
		t.Fatalf("log load: %v, %d requests failed, last: %v", err, res.Failed, res.LastError)
	}
	want := before + float64(res.Acked*logRecordsPerRequest)
	if _, _, err := s.waitMetric(ctx, `sink_stored_records_total{signal="logs"}`, func(v float64) bool { return v >= want },
		50*time.Millisecond, 5*time.Minute); err != nil {
		t.Fatalf("acknowledged log records not all stored: %v", err)
	}
	wall := time.Since(start)
	cpu1, _ := CPUSeconds(s.PID())
	return logResult{records: uint64(stored() - before), wall: wall, cpuSeconds: cpu1 - cpu0, refused: res.Refused}
}

// renderLogTable prints the log ingest of each queryable store.
func renderLogTable(p benchParams, rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nLog ingest: OTLP/gRPC log export requests for %s with %d concurrent senders, %d plain log records per request "+
		"(a severity, a string body, %d attributes), each store with its default buffer.acknowledge, after the span ingest above.\n\n",
		p.duration, p.workers, logRecordsPerRequest, logAttributes)
	b.WriteString("| store | log records/s | records per CPU-second | records stored | refusals |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		if r.logs.records == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", r.store, count(int(float64(r.logs.records)/r.logs.wall.Seconds())),
			count(int(float64(r.logs.records)/r.logs.cpuSeconds)), count(int(r.logs.records)), r.logs.refused)
	}
	return b.String()
}
