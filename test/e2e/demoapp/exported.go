package main

import (
	"context"
	"log"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// exportedPrefix starts the line logged for every trace whose root span the
// exporter delivered; the e2e suite greps for it to learn which traces the
// sink acknowledged.
const exportedPrefix = "demoapp: exported trace "

// loggingExporter delegates to the standard exporter and, only when it
// reports success, logs the id of each root span's trace. The exporter
// returns an error for anything short of a full acknowledgement (a failed
// request once its retries and the batch processor's timeout are spent, or
// an OTLP partial success), so a logged trace is one the receiver accepted.
type loggingExporter struct {
	sdktrace.SpanExporter
}

// logExported wraps e, unless OTEL_TRACES_EXPORTER=none made it a no-op
// that would claim exports that never happened.
func logExported(e sdktrace.SpanExporter) sdktrace.SpanExporter {
	if autoexport.IsNoneSpanExporter(e) {
		return e
	}
	return loggingExporter{e}
}

// ExportSpans exports spans and logs the traces of the root spans among them
// once that succeeded.
func (e loggingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := e.SpanExporter.ExportSpans(ctx, spans); err != nil {
		return err
	}
	for _, s := range spans {
		if !s.Parent().IsValid() {
			log.Print(exportedPrefix + s.SpanContext().TraceID().String())
		}
	}
	return nil
}
