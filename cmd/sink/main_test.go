package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func waitReady(t *testing.T, url string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("sink exited before it was ready: %v", err)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("sink never became ready")
}

// span is one root span of its own trace, numbered i.
func span(i int) *coltracepb.ExportTraceServiceRequest {
	id := []byte(fmt.Sprintf("%016x", i+1))
	now := uint64(time.Now().UnixNano())
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{
		Spans: []*tracepb.Span{{TraceId: id, SpanId: id[8:], Name: "op", StartTimeUnixNano: now, EndTimeUnixNano: now + 1}},
	}}}}}
}

// TestSIGTERMFlushesEveryAcknowledgedRecordBeforeTheProcessExits runs the
// real binary: records sit in a buffer that would only flush in an hour,
// so they reach the database only through the shutdown on SIGTERM.
func TestSIGTERMFlushesEveryAcknowledgedRecordBeforeTheProcessExits(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "sink")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "telemetry.db")
	httpAddr, queryAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "--type", "sqlite", "--sqlite-path", db, "--grpc-addr", freeAddr(t),
		"--http-addr", httpAddr, "--query-addr", queryAddr, "--config", os.DevNull)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waitReady(t, "http://"+queryAddr+"/readyz", exited)
	const n = 50
	for i := range n {
		body, _ := proto.Marshal(span(i))
		resp, err := http.Post("http://"+httpAddr+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %d: %v %v", i, resp, err)
		}
		_ = resp.Body.Close()
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("sink exited with %v: %s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("sink did not exit on SIGTERM")
	}
	st, err := sqlite.Open(context.Background(), db, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	spans, err := st.QuerySpans(context.Background(), store.SpanQuery{Limit: 1000})
	if err != nil || len(spans) != n {
		t.Fatalf("stored %d spans (%v), acknowledged %d; sink log:\n%s", len(spans), err, n, stderr.String())
	}
}
