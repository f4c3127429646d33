package bench

import (
	"context"
	"fmt"
	"path/filepath"
)

// Floor is a running test/bench/floor: a bare grpc-go OTLP/gRPC server
// that counts spans and keeps nothing, what any grpc-go receiver pays.
type Floor struct {
	*process
	GRPCAddr   string
	MetricsURL string
}

// StartFloor runs the floor binary, prefixed by wrap, on free ports and
// waits until its metrics answer.
func StartFloor(ctx context.Context, wrap []string, binary, dir string) (*Floor, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	f := &Floor{
		GRPCAddr:   fmt.Sprintf("127.0.0.1:%d", ports[0]),
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[1]),
	}
	args := []string{"-grpc", f.GRPCAddr, "-metrics", fmt.Sprintf("127.0.0.1:%d", ports[1])}
	if f.process, err = startProcess("floor", wrap, binary, args, nil, filepath.Join(dir, "floor.log")); err != nil {
		return nil, err
	}
	return f, f.waitReady(func() bool {
		_, err := scrape(ctx, f.MetricsURL, "floor_accepted_spans")
		return err == nil
	})
}

// Accepted is the spans the floor counted in the requests it acknowledged.
func (f *Floor) Accepted(ctx context.Context) (float64, error) {
	return scrape(ctx, f.MetricsURL, "floor_accepted_spans")
}

// Refused is the requests the floor could not read as trace requests.
func (f *Floor) Refused(ctx context.Context) (float64, error) {
	return scrape(ctx, f.MetricsURL, "floor_refused_requests")
}
