package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MemorySpec bounds the in-memory store; when a bound is reached the oldest
// records are evicted first.
type MemorySpec struct {
	// MaxTraces is the number of traces kept.
	// +kubebuilder:default=10000
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxTraces int32 `json:"maxTraces,omitempty"`

	// MaxEvents is the number of events kept.
	// +kubebuilder:default=100000
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxEvents int32 `json:"maxEvents,omitempty"`

	// MaxMetricPoints is the number of metric points kept.
	// +kubebuilder:default=100000
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxMetricPoints int32 `json:"maxMetricPoints,omitempty"`

	// MaxLogs is the number of log records kept.
	// +kubebuilder:default=100000
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxLogs int32 `json:"maxLogs,omitempty"`
}

// SQLiteSpec keeps telemetry in one SQLite file on a PersistentVolumeClaim
// that the operator creates and mounts at the file's directory.
type SQLiteSpec struct {
	// Path is the database file inside the sink container; the volume is
	// mounted at its directory.
	// +kubebuilder:default="/var/lib/telemetry/telemetry.db"
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self.matches('^/[^/]+(/[^/]+)*/[^/]+$') && !self.startsWith('/etc/telemetry/') && !self.startsWith('/tmp/')",message="must be an absolute file path in a directory other than /, /tmp and /etc/telemetry, such as /var/lib/telemetry/telemetry.db"
	// +optional
	Path string `json:"path,omitempty"`

	// Storage is the PersistentVolumeClaim that holds the file.
	// +kubebuilder:default={}
	// +optional
	Storage Storage `json:"storage,omitzero"`
}

// Storage describes the PersistentVolumeClaim of a sqlite sink.
//
// The class rule sits here, not on storageClassName: a transition rule on an
// optional field runs only when the field is set both before and after, so
// it could not refuse adding or removing the class. Storage itself is always
// present under sqlite (its default is {}), and sqlite cannot come or go
// because type is immutable, so this rule sees every change of the class.
// +kubebuilder:validation:XValidation:rule="has(self.storageClassName) == has(oldSelf.storageClassName) && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",message="storageClassName cannot be added, removed or changed after the backend is created: a claim keeps the class it was made with; create a new TelemetryBackend with the class you want and copy the data with sink migrate",fieldPath=".storageClassName"
type Storage struct {
	// Size is the requested capacity, such as 10Gi. It can grow (where the
	// storage class allows expansion) but not shrink.
	// +kubebuilder:default="1Gi"
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`

	// StorageClassName is the storage class of the claim; unset uses the
	// cluster's default class. It is fixed when the backend is created: it
	// cannot be added, removed or changed afterwards.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// PostgreSQLSpec keeps telemetry in a PostgreSQL database. The connection
// URL is read from a Secret, never from the spec.
type PostgreSQLSpec struct {
	// ConnectionSecretRef names the Secret key holding the connection URL,
	// postgresql://user:password@host:5432/db?sslmode=require&min_size=2&max_size=10.
	// +required
	ConnectionSecretRef SecretKeyRef `json:"connectionSecretRef"`
}

// SecretKeyRef is one key of a Secret in the backend's namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Key in the Secret's data.
	// +kubebuilder:default="url"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key string `json:"key,omitempty"`
}

// SecretRef is a whole Secret in the backend's namespace.
type SecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// OTLPProtocol is the protocol of an OTLP export.
// +kubebuilder:validation:Enum=grpc;http/protobuf
type OTLPProtocol string

// The OTLP export protocols.
const (
	// ProtocolGRPC exports over OTLP/gRPC.
	ProtocolGRPC OTLPProtocol = "grpc"
	// ProtocolHTTP exports over OTLP/HTTP with protobuf bodies.
	ProtocolHTTP OTLPProtocol = "http/protobuf"
)

// OTLPSpec forwards telemetry to another OTLP receiver, such as Tempo,
// Jaeger or a vendor's endpoint. It stores nothing and answers no queries.
type OTLPSpec struct {
	// Endpoint is the receiver's URL, such as http://tempo.observability:4317.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="must be an http:// or https:// URL with a host, such as http://tempo:4317"
	// +required
	Endpoint string `json:"endpoint"`

	// Protocol is grpc or http/protobuf.
	// +kubebuilder:default=grpc
	// +optional
	Protocol OTLPProtocol `json:"protocol,omitempty"`

	// HeadersSecretRef names a Secret whose every key is one header sent
	// with each export, such as x-honeycomb-team: <key>.
	// +optional
	HeadersSecretRef *SecretRef `json:"headersSecretRef,omitempty"`

	// Insecure disables TLS to the endpoint.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// Timeout of one export, such as 10s.
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) > duration('0s')",message="must be a positive duration such as 10s"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}
