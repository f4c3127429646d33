//go:build bench

package bench

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

type ingestResult struct {
	issued     uint64              // trace requests numbered so far: 0..issued-1
	unacked    map[uint64]struct{} // numbers among them never acknowledged (in flight at the end)
	spans      uint64
	wall       time.Duration // from the first request until the backlog was written
	cpuSeconds float64
	refused    uint64
	dropped    float64
	latencies  []time.Duration // each acknowledged request's, ascending (loadgen.Result.Latencies)
}

// spansPerCore is acknowledged spans per CPU-second of the sink process.
func (r ingestResult) spansPerCore() float64 { return float64(r.spans) / r.cpuSeconds }

// measureIngest saturates the sink's OTLP/gRPC receiver for the configured
// time, waits until every acknowledged span is stored, and charges the sink
// the CPU it used from the first request to the last store write. Records
// the store held before count for neither.
func measureIngest(t *testing.T, p benchParams, s *Sink) ingestResult {
	ctx := context.Background()
	tmpl, err := loadgen.TraceTemplate(p.shape)
	if err != nil {
		t.Fatal(err)
	}
	stored0, err := s.Stored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cpu0, err := CPUSeconds(s.PID())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Options{GRPCAddr: s.GRPCAddr, Workers: p.workers, Duration: p.duration},
		"/v1/traces", tmpl.Request)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 {
		t.Fatalf("%d requests failed, last: %v\n%s", res.Failed, res.LastError, s.Log())
	}
	caughtUp, err := s.CaughtUp(ctx, batchRecords, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	spans := res.Acked * uint64(p.shape.Spans())
	if _, err := s.WaitStored(ctx, stored0+float64(spans), 5*time.Minute); err != nil {
		t.Fatalf("acknowledged spans not all stored: %v", err)
	}
	cpu1, _ := CPUSeconds(s.PID())
	dropped, _ := s.Dropped(ctx)
	if dropped != 0 {
		t.Errorf("the sink dropped %v accepted records", dropped)
	}
	unacked := map[uint64]struct{}{}
	for _, n := range res.Unacked {
		unacked[n] = struct{}{}
	}
	return ingestResult{issued: res.Issued, unacked: unacked, spans: spans, wall: caughtUp.Sub(start),
		cpuSeconds: cpu1 - cpu0, refused: res.Refused, dropped: dropped, latencies: res.Latencies}
}

// latency is a query's round trip as the client saw it, and the store's
// share of it as the sink reported it.
type latency struct{ p50, p99, first, storeP50, storeP99 time.Duration }

type queryResult struct {
	byID, list10, filtered, aggregate latency
	spans, points                     int
}

// measureQueries fills the store to the configured size, then times each
// query through the sink's HTTP query API, one at a time. A store that
// keeps only the newest retained requests (when not 0) is asked for those.
// Trace lookups name only traces of acknowledged requests.
func measureQueries(t *testing.T, p benchParams, s *Sink, in ingestResult, retained uint64) queryResult {
	perReq := uint64(p.shape.Spans())
	sent, stored := in.issued, in.spans
	if want, acked := uint64(p.spans)/perReq, sent-uint64(len(in.unacked)); want > acked {
		more := want - acked
		stored += more * perReq
		tmpl, _ := loadgen.TraceTemplate(p.shape)
		fill(t, s, loadgen.Options{Requests: more, FirstRequest: sent}, "/v1/traces", tmpl.Request, float64(stored))
		sent += more
	}
	const pointsPerReq = 1000
	points := uint64(p.points) / pointsPerReq
	fill(t, s, loadgen.Options{Requests: points}, "/v1/metrics", func(n uint64, _ []byte) []byte {
		b, err := loadgen.MetricsRequest("bench.latency", pointsPerReq, n)
		if err != nil {
			panic(err)
		}
		return b
	}, float64(stored+points*pointsPerReq))
	first := uint64(0) // the oldest request the store still holds
	if retained != 0 && sent > retained {
		first = sent - retained
	}
	q := queryResult{spans: int(stored), points: int(points * pointsPerReq)}
	if first > 0 {
		q.spans = int((sent - first) * perReq)
	}
	get := func(path string, v url.Values) func() time.Duration {
		return func() time.Duration { return httpGet(t, s.QueryURL+path, v) }
	}
	q.byID = timeIt(p.queries, func() time.Duration {
		n := first + rand.Uint64N(sent-first)
		for _, lost := in.unacked[n]; lost; _, lost = in.unacked[n] {
			n = first + rand.Uint64N(sent-first)
		}
		id := loadgen.TraceID(n, rand.IntN(p.shape.Traces))
		return httpGet(t, s.QueryURL+"/api/v1/traces/"+hex.EncodeToString(id[:]), nil)
	})
	q.list10 = timeIt(p.queries, get("/api/v1/traces", url.Values{"limit": {"10"}}))
	q.filtered = timeIt(p.queries, get("/api/v1/traces", url.Values{"limit": {"10"}, "status": {"completed"},
		"name": {"request"}, "attr.service.name": {"loadgen"}}))
	q.aggregate = timeIt(max(p.queries/10, 10), get("/api/v1/metrics/aggregate",
		url.Values{"name": {"bench.latency"}, "step": {"5m"}}))
	return q
}

func fill(t *testing.T, s *Sink, o loadgen.Options, path string, next loadgen.Next, wantStored float64) {
	o.GRPCAddr, o.Workers = s.GRPCAddr, 4
	res, err := loadgen.Run(context.Background(), o, path, next)
	if err != nil || res.Failed > 0 {
		t.Fatalf("filling %s: %v (%d failed, last %v)", path, err, res.Failed, res.LastError)
	}
	if _, err := s.WaitStored(context.Background(), wantStored, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
}

// timeIt times a first call on its own (the cold one: statements prepared,
// pages faulted in), then n more, whose nearest-rank percentiles it
// reports: with 100 samples the p99 is the second slowest, not the slowest.
// fn returns the store's time of its call, which is ranked apart.
func timeIt(n int, fn func() time.Duration) latency {
	start := time.Now()
	fn()
	first := time.Since(start)
	d, st := make([]time.Duration, n), make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		st[i] = fn()
		d[i] = time.Since(start)
	}
	return latency{p50: rank(d, 50), p99: rank(d, 99), first: first, storeP50: rank(st, 50), storeP99: rank(st, 99)}
}

// rank is the nearest-rank percentile of d, which it sorts.
func rank(d []time.Duration, pct int) time.Duration {
	slices.Sort(d)
	return loadgen.NearestRank(d, pct)
}

func httpGet(t *testing.T, u string, v url.Values) time.Duration {
	if v != nil {
		u += "?" + v.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return storeTime(resp.Header.Get("Server-Timing"))
}

// storeTime reads the store's time from the sink's Server-Timing header
// ("store;dur=<milliseconds>"); 0 when there is none.
func storeTime(header string) time.Duration {
	ms, err := strconv.ParseFloat(strings.TrimPrefix(header, "store;dur="), 64)
	if err != nil {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (r row) ingestSummary() string {
	return fmt.Sprintf("%d spans in %s, %.0f spans/s, %.1f CPU-s, %.0f spans per CPU-second, %d refusals",
		r.ingest.spans, r.ingest.wall.Round(time.Millisecond), float64(r.ingest.spans)/r.ingest.wall.Seconds(),
		r.ingest.cpuSeconds, r.ingest.spansPerCore(), r.ingest.refused)
}
