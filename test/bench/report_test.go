//go:build bench

package bench

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

type row struct {
	store   string
	ingest  ingestResult
	logs    logResult
	queries queryResult
	peakRSS int64
	steal   float64 // share of the machine's CPU time stolen while the row ran
}

// renderTable prints the results as one Markdown table, with what was run.
func renderTable(p benchParams, rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nSink benchmark: OTLP/gRPC ingest for %s with %d concurrent senders, %d spans per request (%d traces x %d spans, %d attributes each);\n",
		p.duration, p.workers, p.shape.Spans(), p.shape.Traces, p.shape.SpansPerTrace, p.shape.Attributes)
	fmt.Fprintf(&b, "queries with the store holding the spans and metric points shown, %d samples each (aggregation: a tenth) after a first one, p50 and p99 by nearest rank. %d CPUs, %s/%s, %s.\n\n",
		p.queries, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"))
	b.WriteString("| store | ingest spans/s | spans per CPU-second | refusals | dropped | spans / points stored | trace by id p50 / p99 | list 10 traces p50 / p99 | filtered list p50 / p99 | aggregation p50 / p99 | peak RSS | CPU steal |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		q := r.queries
		queries := "n/a (export-only) | n/a | n/a | n/a | n/a"
		if r.store != "otlp" {
			queries = fmt.Sprintf("%s / %s | %s | %s | %s | %s", count(q.spans), count(q.points),
				lat(q.byID), lat(q.list10), lat(q.filtered), lat(q.aggregate))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %.0f | %s | %d MiB | %.1f%% |\n", r.store,
			count(int(float64(r.ingest.spans)/r.ingest.wall.Seconds())), count(int(r.ingest.spansPerCore())),
			r.ingest.refused, r.ingest.dropped, queries, r.peakRSS>>20, 100*r.steal)
	}
	b.WriteString("\nThe first query of each kind, timed apart from the samples (cold: by id / list 10 / filtered / aggregation):")
	for _, r := range rows {
		if q := r.queries; r.store != "otlp" {
			fmt.Fprintf(&b, " %s %s / %s / %s / %s;", r.store, ms(q.byID.first), ms(q.list10.first),
				ms(q.filtered.first), ms(q.aggregate.first))
		}
	}
	b.WriteString("\nThe store's own time within the samples, from the sink's Server-Timing header (by id / list 10 / filtered / aggregation, p50 / p99):")
	for _, r := range rows {
		if q := r.queries; r.store != "otlp" {
			fmt.Fprintf(&b, " %s %s, %s, %s, %s;", r.store, storeLat(q.byID), storeLat(q.list10),
				storeLat(q.filtered), storeLat(q.aggregate))
		}
	}
	b.WriteString("\nCPU steal: the share of the machine's CPU time the hypervisor gave to other guests while the row ran (/proc/stat); the same code measures slower when it is high.\n")
	return b.String()
}

// writeOut appends a table to the file BENCH_OUT names, if any: hack/bench.sh
// empties it first, then each of make bench's tables adds itself.
func writeOut(t *testing.T, table string) {
	name := os.Getenv("BENCH_OUT")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString(table)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Error(err)
	}
}

func lat(l latency) string { return ms(l.p50) + " / " + ms(l.p99) }

func storeLat(l latency) string { return ms(l.storeP50) + " / " + ms(l.storeP99) }

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func count(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	default:
		return fmt.Sprint(n)
	}
}
