#!/usr/bin/env bash
# make bench-compare: the sink against the OpenTelemetry Collector on this
# machine, in one run (test/bench, build tags bench and benchcompare). Builds
# the collector distribution of hack/collector (its own Go module, pinned
# there) and telemetrygen into bin/ when missing, then runs each subject as
# its own process pinned with taskset and prints one table, followed by the
# top of a CPU profile of the sink under OTLP/gRPC saturation.
# Knobs: BENCH_ROUNDS (3), BENCH_DURATION (8s), BENCH_LOADS
# (telemetrygen,grpc,http; empty for none, the durable stores alone),
# BENCH_DB_STORES (sqlite,postgresql; empty for none), BENCH_ACK_MODES
# (received,stored: the buffer.acknowledge modes each of those stores runs
# in, a row each; empty for the store's default), BENCH_WORKERS (8), BENCH_TG_RATE (2000), BENCH_TG_WORKERS (16),
# BENCH_ATTRIBUTES (4), BENCH_SUT_CPUS (1), BENCH_LOAD_CPUS (0), BENCH_OUT
# (also write the table there, to copy from into docs/performance.md; the
# profile is printed only), BENCH_PROFILE=0 (no profile),
# BENCH_PROFILE_OUT (keep the CPU and heap profiles and the sink binary there),
# BENCH_FLOOR= (no rows of test/bench/floor, the bare grpc-go receiver),
# BENCH_MAX_STEAL (5: a run with more CPU steal, in percent, is measured
# again), BENCH_STEAL_RETRIES (2: at most that many times; 0 never).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The comparison runs in test/bench, so a relative BENCH_OUT is made absolute
# from where this script was started.
if [ -n "${BENCH_OUT:-}" ]; then
	case $BENCH_OUT in /*) ;; *) BENCH_OUT="$PWD/$BENCH_OUT" ;; esac
	export BENCH_OUT
fi
cd "$ROOT"
BIN="$ROOT/bin"
OTELCOL_VERSION=$(sed -n 's/^const version = "\(.*\)"$/\1/p' hack/collector/main.go)
TELEMETRYGEN_VERSION=v0.161.0
TELEMETRYGEN="$BIN/telemetrygen-$TELEMETRYGEN_VERSION"
mkdir -p "$BIN"

if [ "$("$BIN/otelcol" --version 2>/dev/null)" != "otelcol version $OTELCOL_VERSION" ]; then
	echo "== building the OpenTelemetry Collector $OTELCOL_VERSION (hack/collector) into bin/otelcol"
	(cd hack/collector && CGO_ENABLED=0 go build -trimpath -o "$BIN/otelcol" .)
fi
if [ ! -x "$TELEMETRYGEN" ]; then
	echo "== installing telemetrygen $TELEMETRYGEN_VERSION into bin/"
	tmp=$(mktemp -d)
	GOBIN="$tmp" CGO_ENABLED=0 go install \
		"github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@$TELEMETRYGEN_VERSION"
	mv "$tmp/telemetrygen" "$TELEMETRYGEN"
	rm -rf "$tmp"
fi

# One core for the subject, another for the load: the default needs two.
if [ "$(nproc)" -lt 2 ]; then
	: "${BENCH_SUT_CPUS:=0}" "${BENCH_LOAD_CPUS:=0}"
	echo "warning: one CPU: the subject and the load generators share it"
fi
export BENCH_SUT_CPUS="${BENCH_SUT_CPUS:-1}" BENCH_LOAD_CPUS="${BENCH_LOAD_CPUS:-0}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== building the sink and the comparison driver"
CGO_ENABLED=0 go build -o "$work/sink" ./cmd/sink
CGO_ENABLED=0 go build -o "$work/floor" ./test/bench/floor
go test -c -tags bench,benchcompare -o "$work/compare.test" ./test/bench/
if [ "${BENCH_PROFILE:-1}" != 0 ]; then
	export BENCH_PROFILE_DIR="$work"
fi

echo "== running (subject on CPU $BENCH_SUT_CPUS, load on CPU $BENCH_LOAD_CPUS); other processes on this machine are not stopped"
status=0
(cd test/bench && BENCH_SINK="$work/sink" BENCH_FLOOR="${BENCH_FLOOR-$work/floor}" BENCH_OTELCOL="$BIN/otelcol" BENCH_TELEMETRYGEN="$TELEMETRYGEN" \
	BENCH_MACHINE_CPUS=$(nproc --all) taskset -c "$BENCH_LOAD_CPUS" "$work/compare.test" -test.run '^TestBenchCompare$' -test.v -test.count=1 -test.timeout 40m) \
	2>&1 | grep -v -e '^=== RUN' -e '^ *--- PASS' -e '^PASS$' || status=$?

for p in "$work"/sink-*-grpc.pprof; do
	[ -s "$p" ] || continue
	echo "== where the sink's CPU goes under OTLP/gRPC saturation: $(basename "$p" .pprof) (go tool pprof -top -cum, then -top)"
	go tool pprof -top -cum -nodecount=25 "$work/sink" "$p" 2>/dev/null | sed -n '5,36p'
	go tool pprof -top -nodecount=20 "$work/sink" "$p" 2>/dev/null | sed -n '5,36p'
	heap="${p%.pprof}.heap.pprof"
	if [ -s "$heap" ]; then
		echo "== what the sink holds live at the end of that run: $(basename "$heap" .pprof) (go tool pprof -sample_index=inuse_space -top)"
		go tool pprof -sample_index=inuse_space -top -nodecount=12 "$work/sink" "$heap" 2>/dev/null | sed -n '5,20p'
		memstats="${p%.pprof}.heap.txt"
		[ ! -s "$memstats" ] || grep -E '^# (HeapSys|HeapInuse|HeapIdle|HeapReleased|StackSys|MSpanSys|GCSys|OtherSys|Sys|NextGC) ' "$memstats"
	fi
	if [ -n "${BENCH_PROFILE_OUT:-}" ]; then
		mkdir -p "$BENCH_PROFILE_OUT" && cp "$p" "$work/sink" "$BENCH_PROFILE_OUT/"
		[ ! -s "$heap" ] || cp "$heap" "${p%.pprof}.heap.txt" "$BENCH_PROFILE_OUT/"
	fi
done
if [ -n "${BENCH_OUT:-}" ]; then echo "== the table is in $BENCH_OUT"; fi
exit "$status"
