package config

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Defaults, shared with the operator's API defaults.
const (
	DefaultBufferSize      = 100
	DefaultExportInterval  = 5 * time.Second
	DefaultMaxQueue        = 100000
	DefaultRetentionEvery  = time.Minute
	DefaultMaxMessageBytes = 16 << 20
	DefaultMaxTraces       = 10000
	DefaultMaxEvents       = 100000
	DefaultMaxMetricPoints = 100000
	DefaultMaxLogs         = 100000
	DefaultSQLitePath      = "/var/lib/telemetry/telemetry.db"
	DefaultBusyTimeout     = 30 * time.Second
	DefaultOTLPTimeout     = 10 * time.Second
	GRPCPort               = 4317
	HTTPPort               = 4318
	QueryPort              = 8080
)

// Default fills every unset field with its default.
func (c *Config) Default() {
	setInt(&c.Buffer.Size, DefaultBufferSize)
	setDuration(&c.Buffer.ExportInterval, DefaultExportInterval)
	setInt(&c.Buffer.MaxQueue, DefaultMaxQueue)
	if c.Type == TypeMemory {
		setString(&c.Buffer.Acknowledge, AckReceived)
	} else {
		setString(&c.Buffer.Acknowledge, AckStored)
	}
	setDuration(&c.Retention.Interval, DefaultRetentionEvery)
	setString(&c.Server.GRPCAddr, fmt.Sprintf(":%d", GRPCPort))
	setString(&c.Server.HTTPAddr, fmt.Sprintf(":%d", HTTPPort))
	setString(&c.Server.QueryAddr, fmt.Sprintf(":%d", QueryPort))
	setInt(&c.Server.MaxMessageBytes, DefaultMaxMessageBytes)
	switch c.Type {
	case TypeMemory:
		if c.Memory == nil {
			c.Memory = &Memory{}
		}
		setInt(&c.Memory.MaxTraces, DefaultMaxTraces)
		setInt(&c.Memory.MaxEvents, DefaultMaxEvents)
		setInt(&c.Memory.MaxMetricPoints, DefaultMaxMetricPoints)
		setInt(&c.Memory.MaxLogs, DefaultMaxLogs)
	case TypeSQLite:
		if c.SQLite == nil {
			c.SQLite = &SQLite{}
		}
		setString(&c.SQLite.Path, DefaultSQLitePath)
		setDuration(&c.SQLite.BusyTimeout, DefaultBusyTimeout)
	case TypePostgreSQL:
		if c.PostgreSQL == nil {
			c.PostgreSQL = &PostgreSQL{}
		}
	case TypeOTLP:
		if c.OTLP != nil {
			setString(&c.OTLP.Protocol, ProtocolGRPC)
			setDuration(&c.OTLP.Timeout, DefaultOTLPTimeout)
		}
	}
}

// Validate reports every problem of a defaulted configuration at once, each
// naming the field to fix.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	blocks := map[string]bool{
		TypeMemory: c.Memory != nil, TypeSQLite: c.SQLite != nil,
		TypePostgreSQL: c.PostgreSQL != nil, TypeOTLP: c.OTLP != nil,
	}
	if _, known := blocks[c.Type]; !known {
		bad("type", "must be one of memory, sqlite, postgresql, otlp, not %q", c.Type)
	}
	for name, set := range blocks {
		if set && name != c.Type {
			bad(name, "is set but type is %q; set only the block of the chosen type", c.Type)
		}
	}
	if r := c.Sampling.Rate; r != nil && (*r < 0 || *r > 1) {
		bad("sampling.rate", "must be between 0 and 1, not %v", *r)
	}
	if c.Buffer.Size < 1 {
		bad("buffer.size", "must be at least 1, not %d", c.Buffer.Size)
	}
	if c.Buffer.ExportInterval.Duration <= 0 {
		bad("buffer.exportInterval", "must be positive, not %s", c.Buffer.ExportInterval)
	}
	if a := c.Buffer.Acknowledge; a != AckStored && a != AckReceived {
		bad("buffer.acknowledge", "must be %q or %q, not %q", AckStored, AckReceived, a)
	}
	if c.Buffer.MaxQueue < c.Buffer.Size {
		bad("buffer.maxQueue", "must be at least buffer.size (%d), not %d", c.Buffer.Size, c.Buffer.MaxQueue)
	}
	if c.Retention.MaxAge.Duration < 0 || c.Retention.Interval.Duration <= 0 {
		bad("retention", "maxAge must not be negative and interval must be positive")
	}
	if c.Retention.MaxAge.Duration > 0 && c.Type == TypeOTLP {
		bad("retention.maxAge", "does not apply to the export-only otlp backend")
	}
	if c.Server.MaxMessageBytes < 1024 {
		bad("server.maxMessageBytes", "must be at least 1024, not %d", c.Server.MaxMessageBytes)
	}
	errs = append(errs, c.validateBlocks()...)
	return errors.Join(errs...)
}

func (c *Config) validateBlocks() []error {
	var errs []error
	switch {
	case c.Type == TypeMemory && (c.Memory.MaxTraces < 1 || c.Memory.MaxEvents < 1 || c.Memory.MaxMetricPoints < 1 || c.Memory.MaxLogs < 1):
		errs = append(errs, errors.New("memory: maxTraces, maxEvents, maxMetricPoints and maxLogs must be at least 1"))
	case c.Type == TypeSQLite && c.SQLite.Path == "":
		errs = append(errs, errors.New("sqlite.path: must not be empty"))
	case c.Type == TypeOTLP && c.OTLP == nil:
		errs = append(errs, errors.New("otlp: the otlp block with an endpoint is required when type is otlp"))
	case c.Type == TypeOTLP:
		if err := ValidateEndpoint(c.OTLP.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("otlp.endpoint: %w", err))
		}
		if p := c.OTLP.Protocol; p != ProtocolGRPC && p != ProtocolHTTP {
			errs = append(errs, fmt.Errorf("otlp.protocol: must be grpc or http/protobuf, not %q", p))
		}
		if c.OTLP.Timeout.Duration <= 0 {
			errs = append(errs, errors.New("otlp.timeout: must be positive"))
		}
	}
	return errs
}

// ValidateEndpoint checks that an OTLP endpoint is an http or https URL with
// a host.
func ValidateEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an http:// or https:// URL with a host, such as http://tempo:4317, not %q", endpoint)
	}
	return nil
}

// SamplingRate is the configured rate, 1 when unset.
func (c *Config) SamplingRate() float64 {
	if c.Sampling.Rate == nil {
		return 1
	}
	return *c.Sampling.Rate
}

// Enabled reports whether a signal is on; unset means on.
func Enabled(b *bool) bool { return b == nil || *b }

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setDuration(p *Duration, v time.Duration) {
	if p.Duration == 0 {
		p.Duration = v
	}
}
