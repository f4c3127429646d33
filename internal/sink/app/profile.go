package app

import (
	"net/http/pprof"
)

// EnvPprof is the variable that, set to "1", serves Go's profiles under
// /debug/pprof/ on the query port: it is how the ingest path's CPU and
// allocation costs are measured under real load. Off by default, because
// profiles expose internals.
const EnvPprof = "TELEMETRY_SINK_PPROF"

// EnableProfiling serves net/http/pprof's handlers on the query port; call it
// before Start.
func (a *App) EnableProfiling() {
	a.query.HandleFunc("/debug/pprof/", pprof.Index)
	a.query.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	a.query.HandleFunc("/debug/pprof/profile", pprof.Profile)
	a.query.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	a.query.HandleFunc("/debug/pprof/trace", pprof.Trace)
}
