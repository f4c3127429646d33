package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Lookups run lookupWorkers at a time. A trace a running sink acknowledged
// last may still be on its way to the store; settleTime is how long missing
// ones are looked up again before they count as lost.
const (
	lookupWorkers = 8
	settleTime    = 10 * time.Second
)

// checkLedger looks up every acknowledged trace through the query API and
// fails, per period, with how many are missing or incomplete and a few of
// their ids. fault names what ended each period but the last ("kill").
func checkLedger(t *testing.T, sink *sinkProcess, fault string, ledger []period) {
	t.Helper()
	var all []string
	for _, p := range ledger {
		all = append(all, p.acked...)
	}
	lost, err := lostTraces(sink, all)
	if err != nil {
		t.Fatalf("looking the acknowledged traces up: %v\n%s", err, sink.log())
	}
	report := periodReport(ledger, lost, fault)
	if len(lost) > 0 {
		t.Errorf("%s: %d of %d acknowledged traces are not in the store:%s",
			sink.cfg.Type, len(lost), len(all), report)
		return
	}
	t.Logf("%s: every one of %d acknowledged traces is in the store:%s", sink.cfg.Type, len(all), report)
}

// periodReport says, a line per period, how many of the traces acknowledged
// in it are lost, with a few of their ids and why.
func periodReport(ledger []period, lost map[string]string, fault string) string {
	var report strings.Builder
	for i, p := range ledger {
		name := fmt.Sprintf("acknowledged before %s %d", fault, i+1)
		if i == len(ledger)-1 {
			name = "acknowledged after the last " + fault
		}
		var missing []string
		for _, id := range p.acked {
			if why, ok := lost[id]; ok {
				missing = append(missing, id+" ("+why+")")
			}
		}
		fmt.Fprintf(&report, "\n  %s: %d of %d missing (%d requests failed)", name, len(missing), len(p.acked), p.failed)
		if len(missing) > 0 {
			fmt.Fprintf(&report, ", such as %s", strings.Join(missing[:min(3, len(missing))], ", "))
		}
	}
	return report.String()
}

// lostTraces returns the ids the sink does not hold whole, with why, after
// looking the missing ones up again until they appear or settleTime passes.
func lostTraces(sink *sinkProcess, ids []string) (map[string]string, error) {
	deadline := time.Now().Add(settleTime)
	lost, err := lookUp(sink, ids)
	for err == nil && len(lost) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		again := make([]string, 0, len(lost))
		for id := range lost {
			again = append(again, id)
		}
		lost, err = lookUp(sink, again)
	}
	return lost, err
}

// lookUp gets each trace, lookupWorkers at a time, and returns those that
// are unknown or lack spans, with why; or the first failed lookup.
func lookUp(sink *sinkProcess, ids []string) (map[string]string, error) {
	var (
		mu      sync.Mutex
		lost    = map[string]string{}
		lookErr error
		wg      sync.WaitGroup
		next    = make(chan string)
	)
	for range lookupWorkers {
		wg.Go(func() {
			for id := range next {
				why, err := traceProblem(sink, id)
				mu.Lock()
				if why != "" {
					lost[id] = why
				}
				lookErr = cmp.Or(lookErr, err)
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	return lost, lookErr
}

// traceProblem is "" when the sink holds the trace with each of its
// spansPerTrace spans once, and otherwise what is wrong.
func traceProblem(sink *sinkProcess, id string) (string, error) {
	resp, err := http.Get(sink.queryURL("/api/v1/traces/" + id))
	if err != nil {
		return "not looked up", err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode == http.StatusNotFound {
		return "not found", nil
	}
	var detail store.TraceDetail
	if err := json.NewDecoder(resp.Body).Decode(&detail); err != nil || resp.StatusCode != http.StatusOK {
		return "not looked up", fmt.Errorf("GET trace %s: %s, %v", id, resp.Status, err)
	}
	spans := map[string]bool{}
	for _, sp := range detail.Spans {
		spans[sp.SpanID] = true
	}
	if len(detail.Spans) != spansPerTrace || len(spans) != spansPerTrace {
		return fmt.Sprintf("%d spans, %d distinct, want %d", len(detail.Spans), len(spans), spansPerTrace), nil
	}
	return "", nil
}
