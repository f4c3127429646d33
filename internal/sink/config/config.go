// Package config is the sink's configuration: the one type the operator
// renders into a backend's ConfigMap and the sink parses, with its defaults
// and validation, so that the two can never disagree.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"sigs.k8s.io/yaml"
)

// Backend types.
const (
	TypeMemory     = "memory"
	TypeSQLite     = "sqlite"
	TypePostgreSQL = "postgresql"
	TypeOTLP       = "otlp"
)

// When the sink answers an export request (buffer.acknowledge).
const (
	// AckStored answers once every record of the request is stored
	// (committed, for sqlite and postgresql; accepted downstream, for otlp).
	AckStored = "stored"
	// AckReceived answers once the records are queued: a crash of the sink
	// loses what is queued.
	AckReceived = "received"
)

// OTLP export protocols.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Environment variables through which secrets reach the sink; the ConfigMap
// never holds them.
const (
	// EnvPostgreSQLURL holds the PostgreSQL connection URL.
	EnvPostgreSQLURL = "TELEMETRY_POSTGRESQL_URL"
	// EnvOTLPHeaderPrefix prefixes one variable per OTLP export header:
	// TELEMETRY_OTLP_HEADER_x-honeycomb-team=KEY sends "x-honeycomb-team: KEY".
	EnvOTLPHeaderPrefix = "TELEMETRY_OTLP_HEADER_"
)

// FileName is the key of the configuration in the operator's ConfigMap.
const FileName = "sink.yaml"

// Config is the whole sink configuration. Zero values mean "default";
// Default fills them and Validate checks the result.
type Config struct {
	// Type is the backend: memory, sqlite, postgresql or otlp.
	Type       string            `json:"type"`
	Sampling   Sampling          `json:"sampling,omitzero"`
	Buffer     Buffer            `json:"buffer,omitzero"`
	Signals    Signals           `json:"signals,omitzero"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Retention  Retention         `json:"retention,omitzero"`
	Server     Server            `json:"server,omitzero"`
	Memory     *Memory           `json:"memory,omitempty"`
	SQLite     *SQLite           `json:"sqlite,omitempty"`
	PostgreSQL *PostgreSQL       `json:"postgresql,omitempty"`
	OTLP       *OTLP             `json:"otlp,omitempty"`
}

// Sampling keeps Rate of all traces, decided consistently by trace id.
type Sampling struct {
	// Rate in [0,1]; nil means 1.
	Rate *float64 `json:"rate,omitempty"`
}

// Buffer batches records before they reach the store.
type Buffer struct {
	// Size is the number of records per flush (default 100).
	Size int `json:"size,omitempty"`
	// ExportInterval flushes a partial batch after this long (default 5s).
	ExportInterval Duration `json:"exportInterval,omitzero"`
	// MaxQueue bounds the records waiting for the store (default 100000);
	// past it, receivers answer with OTLP's retryable errors.
	MaxQueue int `json:"maxQueue,omitempty"`
	// Acknowledge is when a sender is answered: "stored" or "received"
	// (default: received for memory, whose data a restart loses anyway;
	// stored for the others).
	Acknowledge string `json:"acknowledge,omitempty"`
}

// Signals switch each kind of telemetry on or off; nil means on.
type Signals struct {
	Traces  *bool `json:"traces,omitempty"`
	Events  *bool `json:"events,omitempty"`
	Metrics *bool `json:"metrics,omitempty"`
	Logs    *bool `json:"logs,omitempty"`
}

// Retention deletes data older than MaxAge every Interval.
type Retention struct {
	// MaxAge of kept data; zero keeps everything.
	MaxAge Duration `json:"maxAge,omitzero"`
	// Interval between cleanups (default 1m).
	Interval Duration `json:"interval,omitzero"`
}

// Server holds the listen addresses and request limits.
type Server struct {
	GRPCAddr  string `json:"grpcAddr,omitempty"`  // default ":4317"
	HTTPAddr  string `json:"httpAddr,omitempty"`  // default ":4318"
	QueryAddr string `json:"queryAddr,omitempty"` // default ":8080"
	// MaxMessageBytes caps one OTLP request, decompressed (default 16 MiB).
	MaxMessageBytes int `json:"maxMessageBytes,omitempty"`
}

// Memory bounds the in-memory store; the oldest records are evicted first.
type Memory struct {
	MaxTraces       int `json:"maxTraces,omitempty"`       // default 10000
	MaxEvents       int `json:"maxEvents,omitempty"`       // default 100000
	MaxMetricPoints int `json:"maxMetricPoints,omitempty"` // default 100000
	MaxLogs         int `json:"maxLogs,omitempty"`         // default 100000
}

// SQLite is the single-file store.
type SQLite struct {
	// Path of the database file (default /var/lib/telemetry/telemetry.db).
	Path string `json:"path,omitempty"`
	// BusyTimeout waits for a lock this long (default 30s).
	BusyTimeout Duration `json:"busyTimeout,omitzero"`
}

// PostgreSQL is the shared database store. The URL is read from the
// environment variable EnvPostgreSQLURL, never from the file.
type PostgreSQL struct{}

// OTLP forwards to another OTLP endpoint. Headers are read from the
// environment variables prefixed EnvOTLPHeaderPrefix.
type OTLP struct {
	// Endpoint is the receiver's URL, such as http://tempo:4317.
	Endpoint string `json:"endpoint"`
	// Protocol is grpc (default) or http/protobuf.
	Protocol string `json:"protocol,omitempty"`
	// Insecure disables TLS.
	Insecure bool `json:"insecure,omitempty"`
	// Timeout of one export (default 10s).
	Timeout Duration `json:"timeout,omitzero"`
}

// Parse reads a YAML or JSON configuration, refusing unknown fields, then
// applies defaults and validates it.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("sink configuration: %w", err)
	}
	c.Default()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Marshal renders the configuration as YAML, the ConfigMap's format.
func (c *Config) Marshal() ([]byte, error) {
	j, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(bytes.TrimSpace(j))
}

// Duration is a time.Duration written as a Go duration string ("5s").
type Duration struct{ time.Duration }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string such as "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// IsZero lets omitempty-aware encoders skip unset durations.
func (d Duration) IsZero() bool { return d.Duration == 0 }
