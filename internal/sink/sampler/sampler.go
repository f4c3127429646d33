// Package sampler decides which traces the sink keeps. The decision is a pure
// function of the trace id, the same one OpenTelemetry's TraceIDRatioBased
// sampler makes, so every span and event of a trace shares it, across sink
// replicas and with SDKs that sample at the same rate.
package sampler

import "encoding/binary"

// Sampler keeps a fixed share of trace ids. The zero value drops everything.
type Sampler struct {
	all   bool
	bound uint64
}

// New returns a sampler that keeps rate of all trace ids; rate is clamped to
// [0,1].
func New(rate float64) Sampler {
	if rate >= 1 {
		return Sampler{all: true}
	}
	if rate <= 0 {
		return Sampler{}
	}
	// The bound matches go.opentelemetry.io/otel/sdk/trace: rate * 2^63.
	return Sampler{bound: uint64(rate * (1 << 63))}
}

// Keep reports whether the trace with this id is kept.
func (s Sampler) Keep(traceID [16]byte) bool {
	if s.all {
		return true
	}
	// The low 8 bytes are the random part of a W3C trace id; the shift
	// leaves 63 bits so that the bound fits.
	return binary.BigEndian.Uint64(traceID[8:16])>>1 < s.bound
}
