// Package controllers holds the TelemetryBackend reconciler and the pure
// builders of every object a backend owns.
package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// Label keys and values shared by every owned object.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"

	// AppName is the app.kubernetes.io/name of every sink object.
	AppName = "telemetry-sink"
	// ManagedBy is the app.kubernetes.io/managed-by of every owned object.
	ManagedBy = "telemetry-operator"
	// ComponentSink is the app.kubernetes.io/component of the sink objects.
	ComponentSink = "sink"
	// ComponentStorage is the app.kubernetes.io/component of the sqlite volume.
	ComponentStorage = "storage"
)

// Pod template annotations that roll the sink when what they hash changes.
const (
	AnnotationConfigHash = "telemetry.spark.dev/config-hash"
	AnnotationSecretHash = "telemetry.spark.dev/secret-hash"
)

// Paths and names inside the sink pod.
const (
	// ConfigDir is where the ConfigMap is mounted; the sink reads
	// ConfigDir/config.FileName.
	ConfigDir     = "/etc/telemetry"
	containerName = "sink"
	sinkBinary    = "/sink"
	fieldOwner    = "telemetry-operator"
)

// maxNameLength is the longest DNS-1035 label, the limit for Service names
// and label values.
const maxNameLength = 63

// ResourceName is the name of the ServiceAccount, ConfigMap, Deployment and
// Service of a backend: "<backend>-sink", made a valid DNS-1035 label.
func ResourceName(b *telemetryv1alpha1.TelemetryBackend) string {
	return dnsLabel(b.Name + "-sink")
}

// PVCName is the name of a sqlite backend's PersistentVolumeClaim.
func PVCName(b *telemetryv1alpha1.TelemetryBackend) string {
	return dnsLabel(b.Name + "-sink-data")
}

// Endpoints are the URLs of a backend's Service, as status.endpoints shows them.
func Endpoints(b *telemetryv1alpha1.TelemetryBackend) telemetryv1alpha1.Endpoints {
	host := fmt.Sprintf("http://%s.%s.svc", ResourceName(b), b.Namespace)
	return telemetryv1alpha1.Endpoints{
		OTLPGRPC: fmt.Sprintf("%s:%d", host, config.GRPCPort),
		OTLPHTTP: fmt.Sprintf("%s:%d", host, config.HTTPPort),
		Query:    fmt.Sprintf("%s:%d", host, config.QueryPort),
	}
}

// SelectorLabels select the sink pods of one backend.
func SelectorLabels(b *telemetryv1alpha1.TelemetryBackend) map[string]string {
	return map[string]string{
		LabelName:     AppName,
		LabelInstance: dnsLabel(b.Name),
	}
}

// Labels are the labels of an owned object of the given component.
func Labels(b *telemetryv1alpha1.TelemetryBackend, component string) map[string]string {
	l := SelectorLabels(b)
	l[LabelManagedBy] = ManagedBy
	l[LabelComponent] = component
	l[LabelPartOf] = "telemetry-operator"
	return l
}

// objectMeta is the metadata of an owned object; the owner reference is added
// when the object is applied.
func objectMeta(b *telemetryv1alpha1.TelemetryBackend, name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: b.Namespace, Labels: Labels(b, component)}
}

// dnsLabel turns s into a valid DNS-1035 label of at most 63 characters.
// Backend names may hold dots and start with a digit, which Service names
// may not; a name that must be shortened keeps a hash of the whole so that
// two long names never collide.
func dnsLabel(s string) string {
	out := strings.ReplaceAll(strings.ToLower(s), ".", "-")
	if out != "" && (out[0] < 'a' || out[0] > 'z') {
		out = "x" + out
	}
	if len(out) <= maxNameLength && out == s {
		return out
	}
	sum := sha256.Sum256([]byte(s))
	suffix := hex.EncodeToString(sum[:])[:8]
	out = strings.TrimRight(out[:min(len(out), maxNameLength-len(suffix)-1)], "-")
	return out + "-" + suffix
}
