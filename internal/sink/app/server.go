package app

import (
	"net/http"

	"github.com/spark-dev/telemetry-operator/internal/sink/query"
)

// queryMux serves the query API, health, readiness and metrics on one port.
func (a *App) queryMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/api/", query.New(a.store))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.metrics.Handler())
	return mux
}

// readyz is ready when the store is open and the receivers listen; it stops
// being ready as soon as shutdown begins, so traffic moves elsewhere.
func (a *App) readyz(w http.ResponseWriter, _ *http.Request) {
	if !a.ready.Load() {
		http.Error(w, "not ready: starting or shutting down", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
