#!/usr/bin/env bash
# make bench: the sink measured as users run it (test/bench: a real sink
# process per store, OTLP/gRPC load from another process, queries over HTTP
# with the store filled), then what acknowledging stored records costs
# against acknowledging received ones (the Acknowledgement table), then the
# Go benchmarks of the stores and of the webhook's admission handler.
# Knobs: BENCH_STORES, BENCH_DURATION, BENCH_SPANS, BENCH_POINTS,
# BENCH_WORKERS, BENCH_QUERIES, BENCH_TIME; for the Acknowledgement table
# BENCH_ACK_STORES (sqlite,postgresql; empty for no table),
# BENCH_ACK_DURATION (10s, each of its two loads), BENCH_ACK_ROUNDS (3),
# BENCH_LIGHT_RATE (50 requests/s); and BENCH_OUT: a file that receives
# every table printed here (the sink's tables, then the stores' and the
# webhook's benchmark lines), to copy from into docs/performance.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The table test runs in test/bench, so a relative BENCH_OUT is made absolute
# from where this script was started.
if [ -n "${BENCH_OUT:-}" ]; then
	case $BENCH_OUT in /*) ;; *) BENCH_OUT="$PWD/$BENCH_OUT" ;; esac
	export BENCH_OUT
	: >"$BENCH_OUT"
fi
cd "$ROOT"

# out prints its input and, with BENCH_OUT set, appends it there too.
out() { if [ -n "${BENCH_OUT:-}" ]; then tee -a "$BENCH_OUT"; else cat; fi; }

# Each test adds its own table to BENCH_OUT (and prints it with its log).
echo "== sink: ingest and query table (test/bench)"
go test -tags bench ./test/bench/ -run '^TestBenchTable$' -count=1 -timeout 90m -v 2>&1 \
	| grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS$' -e '^ok '
echo
echo "== sink: acknowledge received against stored, sqlite and postgresql (test/bench)"
go test -tags bench ./test/bench/ -run '^TestBenchAck$' -count=1 -timeout 60m -v 2>&1 \
	| grep -v -e '^=== RUN' -e '^ *--- PASS' -e '^PASS$' -e '^ok '

{
	echo
	echo "== stores: go test -bench (each on 10k records; TELEMETRY_BENCH_LARGE=1 adds 1M)"
	go test -run '^$' -bench . -benchtime "${BENCH_TIME:-2s}" ./internal/sink/store/memory/ ./internal/sink/store/sqlite/ ./internal/sink/store/postgres/ \
		| grep -E '^(Benchmark|goos|cpu)' | sort -u
} | out

{
	echo
	echo "== webhook: admission handler per pod, and pod CREATE through a real kube-apiserver at 50 pods/s"
	echo "   (create = the client's CREATE; webhook = the webhook server per request; apiserver-trace = the API"
	echo "   server's own span of each webhook call, exported over OTLP; apiserver-webhook = the API server's"
	echo "   histogram of its webhook calls, whose 5/25 ms buckets only bound the percentiles)"
	KUBEBUILDER_ASSETS="$(hack/envtest.sh)" go test -run '^$' -bench 'Handle' -benchtime 2000x ./internal/webhook/ \
		| grep -E '^Benchmark'
	KUBEBUILDER_ASSETS="$(hack/envtest.sh)" go test -run '^$' -bench 'PodCreate' -benchtime 500x ./internal/webhook/ \
		| grep -E '^Benchmark'
} | out
if [ -n "${BENCH_OUT:-}" ]; then echo "== the tables are in $BENCH_OUT"; fi
