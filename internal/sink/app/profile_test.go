package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/app"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// TestProfiling checks that /debug/pprof/ is served only when enabled.
func TestProfiling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		enable bool
		want   int
	}{
		{name: "off by default", want: http.StatusNotFound},
		{name: "enabled", enable: true, want: http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := app.New(testConfig(nil), memory.New(config.Memory{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if tc.enable {
				a.EnableProfiling()
			}
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_ = a.Shutdown(ctx)
			})
			resp, err := http.Get("http://" + a.Addrs().Query + "/debug/pprof/heap?debug=1")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET /debug/pprof/heap: status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
