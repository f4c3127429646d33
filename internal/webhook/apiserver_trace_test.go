package webhook

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// The kube-apiserver traces each call it makes to a mutating webhook as a
// span "Call mutating webhook" (k8s.io/apiserver, admission/plugin/webhook/
// mutating), from building the request to decoding the answer: the
// webhook's latency as the API server sees it, per call, where its metric
// (admissionMetric) has only 5 and 25 ms buckets. When benchmarks run,
// the API server exports its spans over OTLP to webhookSpans.
const webhookSpanName = "Call mutating webhook"

// webhookSpans is the OTLP trace receiver the API server exports to; it
// keeps the duration of every call to this package's webhook.
var webhookSpans = &spanReceiver{}

type spanReceiver struct {
	coltracepb.UnimplementedTraceServiceServer
	log durationLog
}

// Export keeps the durations of the webhook call spans of the request.
func (r *spanReceiver) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				if sp.GetName() != webhookSpanName {
					continue
				}
				for _, kv := range sp.GetAttributes() {
					if kv.GetKey() == "webhook" && kv.GetValue().GetStringValue() == webhookName {
						r.log.add(time.Duration(sp.GetEndTimeUnixNano() - sp.GetStartTimeUnixNano()))
					}
				}
			}
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// benchmarking reports whether the test binary runs benchmarks.
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

// traceAPIServer starts the span receiver and configures env's API server
// to export every span to it. It returns a function that stops the receiver.
func traceAPIServer(env *envtest.Environment, dir string) (func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, webhookSpans)
	go func() { _ = srv.Serve(lis) }()
	cfg := filepath.Join(dir, "tracing.yaml")
	body := fmt.Sprintf("apiVersion: apiserver.config.k8s.io/v1\nkind: TracingConfiguration\n"+
		"endpoint: %s\nsamplingRatePerMillion: 1000000\n", lis.Addr())
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		srv.Stop()
		return nil, err
	}
	env.ControlPlane.GetAPIServer().Configure().Set("tracing-config-file", cfg)
	return srv.Stop, nil
}

// waitForSpans waits until the API server has exported n webhook call
// spans (its exporter batches every few seconds) and takes them.
func waitForSpans(n int) ([]time.Duration, error) {
	var got []time.Duration
	err := pollUntil(30*time.Second, func() bool {
		got = append(got, webhookSpans.log.take()...)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("the API server exported %d webhook call spans, want %d", len(got), n)
	}
	return got, nil
}
