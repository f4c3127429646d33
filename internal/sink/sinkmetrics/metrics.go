// Package sinkmetrics holds the sink's own Prometheus metrics: what it received,
// sampled out, stored and dropped, and how its queue and store behave.
package sinkmetrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// labelSignal names the signal label; its values follow.
const labelSignal = "signal"

// Signal label values.
const (
	SignalSpans   = "spans"
	SignalEvents  = "events"
	SignalMetrics = "metrics"
	SignalLogs    = "logs"
)

// Drop reasons: why an accepted record was not stored.
const (
	// ReasonDisabled: the record's signal is switched off.
	ReasonDisabled = "disabled"
	// ReasonInvalid: the record cannot be stored (such as a bad trace id).
	ReasonInvalid = "invalid"
	// ReasonShutdown: the sink stopped before the store took the record.
	ReasonShutdown = "shutdown"
	// ReasonRejected: the store refused the batch as invalid, so retrying
	// cannot help.
	ReasonRejected = "rejected"
)

// Metrics is the sink's set of Prometheus collectors, in its own registry so
// that several sinks can live in one process (tests do).
type Metrics struct {
	Registry         *prometheus.Registry
	Received         *prometheus.CounterVec
	SampledOut       *prometheus.CounterVec
	Stored           *prometheus.CounterVec
	Dropped          *prometheus.CounterVec
	RejectedRequests *prometheus.CounterVec
	QueueLength      prometheus.Gauge
	FlushLatency     prometheus.Histogram
	WriteErrors      prometheus.Counter
}

// New registers the sink's metrics, with the Go and process collectors, in a
// new registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_received_records_total", Help: "Records received over OTLP, by signal.",
		}, []string{labelSignal}),
		SampledOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_sampled_out_records_total", Help: "Records not kept by trace sampling, by signal.",
		}, []string{labelSignal}),
		Stored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_stored_records_total", Help: "Records the store accepted, by signal.",
		}, []string{labelSignal}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_dropped_records_total", Help: "Accepted records not stored, by signal and reason.",
		}, []string{labelSignal, "reason"}),
		RejectedRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_rejected_requests_total", Help: "OTLP requests refused, by protocol and reason.",
		}, []string{"protocol", "reason"}),
		QueueLength: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sink_queue_records", Help: "Records accepted and waiting for the store.",
		}),
		FlushLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sink_flush_duration_seconds", Help: "Time of one successful store write.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
		WriteErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sink_store_write_errors_total", Help: "Failed store writes (each is retried).",
		}),
	}
	m.Registry.MustRegister(m.Received, m.SampledOut, m.Stored, m.Dropped, m.RejectedRequests,
		m.QueueLength, m.FlushLatency, m.WriteErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
