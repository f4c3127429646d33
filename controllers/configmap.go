package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// SinkConfig renders a backend into the sink's configuration, defaulted and
// validated by the same code the sink runs, so that a spec the sink would
// refuse is reported as InvalidConfig instead of a crash loop.
func SinkConfig(b *telemetryv1alpha1.TelemetryBackend) (*config.Config, error) {
	s := &b.Spec
	c := &config.Config{
		Type:     string(s.Type),
		Metadata: s.Metadata,
		Signals: config.Signals{
			Traces: s.Signals.Traces, Events: s.Signals.Events, Metrics: s.Signals.Metrics, Logs: s.Signals.Logs,
		},
		Buffer: config.Buffer{
			Size:           int(s.Buffer.Size),
			ExportInterval: duration(s.Buffer.ExportInterval),
			MaxQueue:       int(ptr.Deref(s.Buffer.MaxQueue, 0)),
			Acknowledge:    s.Buffer.Acknowledge,
		},
	}
	rate, err := samplingRate(s.Sampling.Rate)
	if err != nil {
		return nil, err
	}
	c.Sampling.Rate = rate
	if r := s.Retention; r != nil {
		c.Retention = config.Retention{MaxAge: duration(r.MaxAge), Interval: duration(r.Interval)}
	}
	setBlocks(c, s)
	c.Default()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// samplingRate parses the API's decimal string; empty means the default.
func samplingRate(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	rate, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("sampling.rate: %q is not a decimal number", s)
	}
	return &rate, nil
}

// setBlocks copies the type-specific blocks; secrets stay out; the sink
// reads them from its environment.
func setBlocks(c *config.Config, s *telemetryv1alpha1.TelemetryBackendSpec) {
	if m := s.Memory; m != nil {
		c.Memory = &config.Memory{
			MaxTraces: int(m.MaxTraces), MaxEvents: int(m.MaxEvents), MaxMetricPoints: int(m.MaxMetricPoints),
			MaxLogs: int(m.MaxLogs),
		}
	}
	if s.SQLite != nil {
		c.SQLite = &config.SQLite{Path: SQLitePath(s)}
	}
	if s.PostgreSQL != nil {
		c.PostgreSQL = &config.PostgreSQL{}
	}
	if o := s.OTLP; o != nil {
		c.OTLP = &config.OTLP{
			Endpoint: o.Endpoint, Protocol: string(o.Protocol), Insecure: o.Insecure, Timeout: duration(o.Timeout),
		}
	}
}

// ConfigMap holds the rendered sink configuration under config.FileName.
func ConfigMap(b *telemetryv1alpha1.TelemetryBackend, c *config.Config) (*corev1.ConfigMap, error) {
	data, err := c.Marshal()
	if err != nil {
		return nil, fmt.Errorf("render sink configuration: %w", err)
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(b, ResourceName(b), ComponentSink),
		Data:       map[string]string{config.FileName: string(data)},
	}, nil
}

// ConfigHash identifies a ConfigMap's content; it goes into the pod template
// so that a configuration change rolls the pods.
func ConfigHash(cm *corev1.ConfigMap) string {
	return hashString(cm.Data[config.FileName])
}

// SQLitePath is the database file of a sqlite backend, defaulted.
func SQLitePath(s *telemetryv1alpha1.TelemetryBackendSpec) string {
	if s.SQLite == nil || s.SQLite.Path == "" {
		return config.DefaultSQLitePath
	}
	return s.SQLite.Path
}

func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

func duration(d *metav1.Duration) config.Duration {
	if d == nil {
		return config.Duration{}
	}
	return config.Duration{Duration: d.Duration}
}
