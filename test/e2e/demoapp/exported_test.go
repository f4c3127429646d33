package main

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// failingExporter fails every export, as the OTLP exporter does once its
// retries and timeout are spent.
type failingExporter struct{}

func (failingExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return errors.New("traces export: connection refused")
}

func (failingExporter) Shutdown(context.Context) error { return nil }

func TestLoggingExporterLogsRootSpansOnlyOnSuccess(t *testing.T) {
	root := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	child := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{2}, SpanID: trace.SpanID{2}})
	spans := tracetest.SpanStubs{
		{Name: "checkout", SpanContext: root},
		{Name: "load-cart", SpanContext: child, Parent: root},
	}.Snapshots()
	for _, tc := range []struct {
		name string
		e    sdktrace.SpanExporter
		want string
	}{
		// The e2e suite greps for exactly this line.
		{"success", tracetest.NewNoopExporter(), "demoapp: exported trace 01000000000000000000000000000000\n"},
		{"failure", failingExporter{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			log.SetOutput(&out)
			log.SetFlags(0)
			t.Cleanup(func() { log.SetOutput(os.Stderr); log.SetFlags(log.LstdFlags) })
			err := logExported(tc.e).ExportSpans(context.Background(), spans)
			if (err != nil) != (tc.want == "") {
				t.Errorf("ExportSpans: %v", err)
			}
			if got := out.String(); got != tc.want {
				t.Errorf("logged %q, want %q", got, tc.want)
			}
		})
	}
}
