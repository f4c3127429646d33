//nolint:goconst // Test data reads best as literals.
package storetest

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// BenchWriteSpans writes batches of 1000 spans shaped like the sink's under
// load (100 traces of 10 spans, four attributes, the pipeline's batch size)
// into a fresh store per sub-benchmark, and reports spans per second and
// spans per CPU-second of this process (the store's client side; for a
// store in the process, all of it, the figure the ingest goal is stated
// in). Sequential ids arrive in order, as counting ids do; random ids
// spread over the indexes, as the ids of real SDKs do.
func BenchWriteSpans(b *testing.B, newStore func(testing.TB) store.Store) {
	for _, random := range []bool{false, true} {
		name := "SequentialIDs"
		if random {
			name = "RandomIDs"
		}
		b.Run(name, func(b *testing.B) {
			s := newStore(b)
			rng := rand.New(rand.NewPCG(1, 2))
			n, cpu0 := 0, cpuSeconds(b)
			for b.Loop() {
				if err := s.Write(b.Context(), &store.Batch{Spans: writeBenchSpans(rng, n, random)}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n*1000)/b.Elapsed().Seconds(), "spans/s")
			b.ReportMetric(float64(n*1000)/(cpuSeconds(b)-cpu0), "spans/CPU-s")
		})
	}
}

func writeBenchSpans(rng *rand.Rand, batch int, random bool) []store.Span {
	res := store.Attributes{"service.name": "checkout", "host.name": "node-1"}
	out := make([]store.Span, 0, 1000)
	start := time.Unix(1_700_000_000, 0).Add(time.Duration(batch) * time.Second)
	for t := range 100 {
		traceID := fmt.Sprintf("%016x%016x", batch+1, t<<32|0x5eed)
		if random {
			traceID = fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
		}
		var root string
		for i := range 10 {
			spanID := fmt.Sprintf("%016x", batch<<20|t*10+i+1)
			if random {
				spanID = fmt.Sprintf("%016x", rng.Uint64())
			}
			sp := store.Span{TraceID: traceID, SpanID: spanID, ParentSpanID: root,
				Name: fmt.Sprintf("op-%d", i), Kind: kindInternal, StartTime: start.Add(time.Duration(i) * time.Millisecond),
				EndTime: start.Add(time.Duration(i+5) * time.Millisecond), Duration: 0.005, Status: store.SpanStatusOK,
				Resource: res, Attributes: store.Attributes{"http.method": "GET", "http.status_code": int64(200),
					"user.id": fmt.Sprintf("u-%d", t), "retry": false}}
			if i == 0 {
				root, sp.Kind = spanID, "server"
			}
			out = append(out, sp)
		}
	}
	return out
}

// kindInternal is the kind of every span but a root.
const kindInternal = "internal"

func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
