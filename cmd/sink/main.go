// Command sink is the telemetry sink: it receives OTLP, samples, buffers and
// stores telemetry in the configured backend, and serves the query API.
// Run `sink --help` for its options.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
)

func main() {
	// SIGTERM (Kubernetes stopping the pod) starts a graceful shutdown that
	// flushes every accepted record.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	code := app.Main(ctx, os.Args[1:], app.Env{Getenv: os.Getenv, Environ: os.Environ}, os.Stderr)
	stop()
	os.Exit(code)
}
