package main

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

func TestCountSpans(t *testing.T) {
	shape := loadgen.Shape{Traces: 3, SpansPerTrace: 7, Attributes: 4}
	tmpl, err := loadgen.TraceTemplate(shape)
	if err != nil {
		t.Fatal(err)
	}
	req := tmpl.Request(1, nil)
	if n, err := countSpans(req); err != nil || n != shape.Spans() {
		t.Fatalf("countSpans = %d, %v; want %d spans", n, err, shape.Spans())
	}
	if n, err := countSpans(nil); err != nil || n != 0 {
		t.Fatalf("an empty request: %d, %v; want 0 spans", n, err)
	}
	if _, err := countSpans(req[:len(req)-3]); err == nil {
		t.Fatal("a truncated request was counted without an error")
	}
}
