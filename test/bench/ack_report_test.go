//go:build bench

package bench

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// Issue 20's goals: at saturation, stored within 10% of received's spans
// per CPU-second; a light-load request answered within 20 ms at p99 by
// sqlite in stored mode.
const (
	ackCostGoal     = 0.9
	ackLightP99Goal = 20 * time.Millisecond
)

// ackRow is one store in one mode over every round, pooled: spans, time
// and CPU summed, latencies ranked together.
type ackRow struct {
	store, mode    string
	spans          uint64
	wall           time.Duration
	cpu            float64
	sat, light     []time.Duration // ascending
	refused, late  uint64
	lightAcked     uint64
	dropped, steal float64 // dropped summed; steal the highest of a round
	perCPUByRound  []float64
}

func (r ackRow) perCPUSecond() float64 { return float64(r.spans) / r.cpu }

// poolAck gathers the runs into a row per store and mode, in the order of
// the stores, received before stored; a pair with no run has no row.
func poolAck(a ackConfig, runs []ackRun) []ackRow {
	var rows []ackRow
	for _, store := range a.stores {
		for _, mode := range ackModes {
			r := ackRow{store: store, mode: mode}
			for _, run := range runs {
				if run.store == store && run.mode == mode {
					r.add(run)
				}
			}
			if len(r.perCPUByRound) > 0 {
				slices.Sort(r.sat)
				slices.Sort(r.light)
				rows = append(rows, r)
			}
		}
	}
	return rows
}

func (r *ackRow) add(run ackRun) {
	in := run.ingest
	r.spans += in.spans
	r.wall += in.wall
	r.cpu += in.cpuSeconds
	r.sat = append(r.sat, in.latencies...)
	r.light = append(r.light, run.light.Latencies...)
	r.refused += in.refused + run.light.Refused
	r.late += run.light.Late
	r.lightAcked += run.light.Acked
	r.dropped += in.dropped
	r.steal = max(r.steal, run.steal)
	r.perCPUByRound = append(r.perCPUByRound, in.spansPerCore())
}

// renderAck prints the Acknowledgement table, what was run, and the goals.
func renderAck(a ackConfig, runs []ackRun) string {
	var b strings.Builder
	b.WriteString(ackHeader(a))
	b.WriteString("| store | acknowledge | saturation spans/s | spans per CPU-second | saturation request p50 / p99 | light-load request p50 / p99 | refusals | dropped | CPU steal |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	rows := poolAck(a, runs)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %d | %.0f | %.1f%% |\n", r.store, r.mode,
			count(int(float64(r.spans)/r.wall.Seconds())), count(int(r.perCPUSecond())),
			percentiles(r.sat), percentiles(r.light), r.refused, r.dropped, 100*r.steal)
	}
	b.WriteString(ackNotes(rows))
	b.WriteString(ackGoals(a, rows))
	return b.String()
}

// ackNotes are the figures under the table: each round's, and how well
// the light load kept its schedule.
func ackNotes(rows []ackRow) string {
	var b strings.Builder
	b.WriteString("\nSpans per CPU-second of each round:")
	for _, r := range rows {
		fmt.Fprintf(&b, " %s/%s %s;", r.store, r.mode, counts(r.perCPUByRound))
	}
	b.WriteString("\nLight-load requests acknowledged, and of them sent late (every sender still waiting for an answer when one was due):")
	for _, r := range rows {
		fmt.Fprintf(&b, " %s/%s %d, %d late;", r.store, r.mode, r.lightAcked, r.late)
	}
	b.WriteString("\nRefusals: requests pushed back with a retryable code, both loads, retried and stored. CPU steal: the highest of the row's rounds (/proc/stat).\n\n")
	return b.String()
}

// ackHeader says what the Acknowledgement table measured, and how.
func ackHeader(a ackConfig) string {
	p := a.bench
	rounds := "1 round"
	if a.rounds != 1 {
		rounds = fmt.Sprintf("%d rounds alternating which mode goes first", a.rounds)
	}
	return fmt.Sprintf("\nAcknowledgement: buffer.acknowledge received (answered once queued: before) against stored (answered once committed: after), the same sink binary, %s, a fresh sink and store per run.\n", rounds) +
		fmt.Sprintf("Each run: a light load, %.0f requests/s paced open-loop for %s (up to %d in flight), then saturation, %d concurrent senders for %s; requests of %d spans (%d traces x %d spans, %d attributes each), batches of %d records, PostgreSQL with fsync and synchronous commit on.\n",
			a.lightRate, p.duration, a.lightWorkers(), p.workers, p.duration, p.shape.Spans(), p.shape.Traces, p.shape.SpansPerTrace, p.shape.Attributes, batchRecords) +
		fmt.Sprintf("Rounds pooled: spans, time and CPU-seconds (the sink process's) summed; request latency from first send to acknowledgement, retries included, ranked together, p50 and p99 by nearest rank. %d CPUs, %s/%s, %s.\n\n",
			runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"))
}

// ackGoals is the table of issue 20's goals, met or not.
func ackGoals(a ackConfig, rows []ackRow) string {
	var b strings.Builder
	b.WriteString("| goal | store | measured | met |\n|---|---|---|---|\n")
	for _, store := range a.stores {
		recv, okR := findAck(rows, store, config.AckReceived)
		stored, okS := findAck(rows, store, config.AckStored)
		if !okR || !okS {
			fmt.Fprintf(&b, "| stored within 10%% of received, spans per CPU-second at saturation | %s | n/a (a mode was not measured) | n/a |\n", store)
			continue
		}
		x := stored.perCPUSecond() / recv.perCPUSecond()
		fmt.Fprintf(&b, "| stored within 10%% of received, spans per CPU-second at saturation | %s | %.2fx (%s / %s) | %s |\n",
			store, x, count(int(stored.perCPUSecond())), count(int(recv.perCPUSecond())), yesNo(x >= ackCostGoal))
	}
	if stored, ok := findAck(rows, "sqlite", config.AckStored); ok {
		p99 := loadgen.NearestRank(stored.light, 99)
		fmt.Fprintf(&b, "| light-load request p99 ≤ %d ms, stored | sqlite | %s | %s |\n",
			ackLightP99Goal.Milliseconds(), ms(p99), yesNo(len(stored.light) > 0 && p99 <= ackLightP99Goal))
	}
	return b.String()
}

func findAck(rows []ackRow, store, mode string) (ackRow, bool) {
	i := slices.IndexFunc(rows, func(r ackRow) bool { return r.store == store && r.mode == mode })
	if i < 0 {
		return ackRow{}, false
	}
	return rows[i], true
}

func percentiles(sorted []time.Duration) string {
	if len(sorted) == 0 {
		return "n/a"
	}
	return ms(loadgen.NearestRank(sorted, 50)) + " / " + ms(loadgen.NearestRank(sorted, 99))
}

func counts(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = count(int(f))
	}
	return strings.Join(s, ", ")
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
