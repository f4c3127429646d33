package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

// span is one root span of its own trace, numbered i.
func span(i int) *coltracepb.ExportTraceServiceRequest {
	id := []byte(fmt.Sprintf("%016x", i+1))
	now := uint64(time.Now().UnixNano())
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{
		Spans: []*tracepb.Span{{TraceId: id, SpanId: id[8:], Name: "op", StartTimeUnixNano: now, EndTimeUnixNano: now + 1}},
	}}}}}
}

// TestSIGTERMFlushesEveryAcknowledgedRecordBeforeTheProcessExits runs the
// real binary acknowledging records once queued (acknowledge: received),
// in a buffer that would only flush in an hour, so they reach the
// database only through the shutdown on SIGTERM.
func TestSIGTERMFlushesEveryAcknowledgedRecordBeforeTheProcessExits(t *testing.T) {
	db := filepath.Join(t.TempDir(), "telemetry.db")
	sink := startSink(t, config.Config{Type: config.TypeSQLite, SQLite: &config.SQLite{Path: db},
		Buffer: config.Buffer{ExportInterval: config.Duration{Duration: time.Hour}, Acknowledge: config.AckReceived}})
	const n = 50
	for i := range n {
		body, _ := proto.Marshal(span(i))
		resp, err := http.Post("http://"+sink.cfg.Server.HTTPAddr+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %d: %v %v", i, resp, err)
		}
		_ = resp.Body.Close()
	}
	if err := sink.terminate(); err != nil {
		t.Fatalf("sink exited with %v:\n%s", err, sink.log())
	}
	st, err := sqlite.Open(context.Background(), db, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	spans, err := st.QuerySpans(context.Background(), store.SpanQuery{Limit: 1000})
	if err != nil || len(spans) != n {
		t.Fatalf("stored %d spans (%v), acknowledged %d; sink log:\n%s", len(spans), err, n, sink.log())
	}
}
