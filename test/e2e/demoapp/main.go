// Command demoapp is the workload of the e2e suite and of `make demo`: an
// ordinary program instrumented with the OpenTelemetry Go SDK, configured only
// through the standard OTEL_* environment variables that the operator's
// webhook injects. It knows nothing of the operator.
//
// Every interval it records one "checkout" trace (a root span, two children,
// one failing every fifth round), a span event, an event log record, and a
// counter and a histogram. For each trace whose root span was exported
// successfully it logs "demoapp: exported trace <trace id>", so that a test
// can check that every trace the sink acknowledged is stored.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	shutdown, err := setup(ctx)
	if err != nil {
		log.Fatalf("demoapp: %v", err)
	}
	interval := envDuration("DEMO_INTERVAL", 2*time.Second)
	log.Printf("demoapp: sending to %q (protocol %q) every %s",
		os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"), interval)
	run(ctx, interval)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		log.Printf("demoapp: shutdown: %v", err)
	}
}

// setup builds the three SDK providers from the standard environment, as any
// instrumented program would.
func setup(ctx context.Context) (func(context.Context) error, error) {
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, err
	}
	spans, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("span exporter: %w", err)
	}
	readers, err := autoexport.NewMetricReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("metric reader: %w", err)
	}
	logs, err := autoexport.NewLogExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("log exporter: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(logExported(spans)), sdktrace.WithResource(res))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(readers), sdkmetric.WithResource(res))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(logs)), sdklog.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	otel.SetLoggerProvider(lp)
	return func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx), lp.Shutdown(ctx))
	}, nil
}

func run(ctx context.Context, interval time.Duration) {
	tracer := otel.Tracer("demoapp")
	meter := otel.Meter("demoapp")
	logger := otel.Logger("demoapp")
	orders, _ := meter.Int64Counter("demo.orders", metric.WithUnit("{order}"))
	latency, _ := meter.Float64Histogram("demo.checkout.duration", metric.WithUnit("ms"))
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for round := 1; ; round++ {
		start := time.Now()
		checkout(ctx, tracer, logger, round)
		attrs := metric.WithAttributes(attribute.String("demo.region", "eu"))
		orders.Add(ctx, 1, attrs)
		latency.Record(ctx, float64(time.Since(start).Microseconds())/1000, attrs)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// checkout records one trace with two children; every fifth fails.
func checkout(ctx context.Context, tracer trace.Tracer, logger otellog.Logger, round int) {
	ctx, root := tracer.Start(ctx, "checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.Int("demo.round", round)))
	defer root.End()
	_, cart := tracer.Start(ctx, "load-cart")
	cart.SetAttributes(attribute.Int("demo.items", 1+round%4))
	cart.End()
	_, pay := tracer.Start(ctx, "charge-card", trace.WithSpanKind(trace.SpanKindClient))
	if round%5 == 0 {
		pay.SetStatus(codes.Error, "card declined")
		root.SetStatus(codes.Error, "payment failed")
	}
	pay.End()
	root.AddEvent("order.placed", trace.WithAttributes(
		attribute.String("event.type", "order"), attribute.Int("demo.round", round)))

	var rec otellog.Record
	rec.SetEventName("demo.checkout.finished")
	rec.SetTimestamp(time.Now())
	rec.SetSeverity(otellog.SeverityInfo)
	rec.SetBody(attribute.StringValue("checkout finished"))
	rec.AddAttributes(attribute.String("event.type", "audit"), attribute.Int("demo.round", round))
	logger.Emit(ctx, rec)
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if ms, err := strconv.Atoi(v); err == nil {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return def
}
