package app_test

import (
	"bytes"
	"net/http"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// BenchmarkHTTPIngest measures OTLP/HTTP protobuf ingestion of 100-span
// requests into a memory sink, from the request to the acknowledgement.
func BenchmarkHTTPIngest(b *testing.B) {
	cfg := testConfig(func(c *config.Config) { c.Buffer.MaxQueue = 1 << 30 })
	a := startSinkB(b, cfg)
	bodies := make([][]byte, 64)
	for i := range bodies {
		body, err := proto.Marshal(traceRequest(uint64(i+1), 100))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	url := "http://" + a.Addrs().HTTP + "/v1/traces"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(bodies[i%len(bodies)]))
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Errorf("POST: %v %v", resp, err)
				return
			}
			_ = resp.Body.Close()
			i++
		}
	})
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "spans/s")
}
