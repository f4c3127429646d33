package inject

import (
	"time"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/controllers"
)

// Defaults of the API, applied here too so that a backend stored before a
// default existed still injects the documented values.
const (
	defaultRate           = "1"
	defaultBatchSize      = 100
	defaultExportInterval = 5 * time.Second
)

// Settings are what a backend tells every injected container.
type Settings struct {
	// Backend is the backend's namespace/name.
	Backend Ref
	// Endpoint is the OTLP URL for Protocol.
	Endpoint string
	// Protocol is ProtocolGRPC or ProtocolHTTP.
	Protocol string
	// SamplingRate is the trace-id ratio, a decimal string in [0,1].
	SamplingRate string
	// BatchSize is the records per export batch.
	BatchSize int32
	// ExportInterval is the longest a record waits before export.
	ExportInterval time.Duration
	// Traces, Events, Metrics and Logs say which signals the backend accepts.
	Traces, Events, Metrics, Logs bool
	// Metadata become extra resource attributes.
	Metadata map[string]string
}

// SettingsFor reads Settings from b for protocol. When the reconciler has not
// written status.endpoints yet (the backend and the workload were applied
// together), the endpoint is computed from the sink Service's naming
// convention: the Service will answer at that name, and the SDK retries
// until it does. Marking such pods as errors would leave them uninjected for
// their whole life over a race of a few seconds.
func SettingsFor(b *telemetryv1alpha1.TelemetryBackend, protocol string) Settings {
	s := Settings{
		Backend:        Ref{Namespace: b.Namespace, Name: b.Name},
		Protocol:       protocol,
		SamplingRate:   b.Spec.Sampling.Rate,
		BatchSize:      b.Spec.Buffer.Size,
		ExportInterval: defaultExportInterval,
		Traces:         enabled(b.Spec.Signals.Traces),
		Events:         enabled(b.Spec.Signals.Events),
		Metrics:        enabled(b.Spec.Signals.Metrics),
		Logs:           enabled(b.Spec.Signals.Logs),
		Metadata:       b.Spec.Metadata,
	}
	if s.SamplingRate == "" {
		s.SamplingRate = defaultRate
	}
	if s.BatchSize <= 0 {
		s.BatchSize = defaultBatchSize
	}
	if d := b.Spec.Buffer.ExportInterval; d != nil && d.Duration > 0 {
		s.ExportInterval = d.Duration
	}
	s.Endpoint = endpoint(b, protocol)
	return s
}

// endpoint is the status URL for protocol, else the conventional one.
func endpoint(b *telemetryv1alpha1.TelemetryBackend, protocol string) string {
	status, computed := b.Status.Endpoints, controllers.Endpoints(b)
	if protocol == ProtocolHTTP {
		return firstNonEmpty(status.OTLPHTTP, computed.OTLPHTTP)
	}
	return firstNonEmpty(status.OTLPGRPC, computed.OTLPGRPC)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// enabled reads an optional switch whose default is on.
func enabled(b *bool) bool {
	return b == nil || *b
}
