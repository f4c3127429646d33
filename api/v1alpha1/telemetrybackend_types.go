package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BackendType names where a sink keeps or sends its telemetry.
// +kubebuilder:validation:Enum=memory;sqlite;postgresql;otlp
type BackendType string

// The four backend types.
const (
	// TypeMemory keeps telemetry in the sink's memory, lost on restart.
	TypeMemory BackendType = "memory"
	// TypeSQLite keeps telemetry in a SQLite file on a PersistentVolumeClaim.
	TypeSQLite BackendType = "sqlite"
	// TypePostgreSQL keeps telemetry in a PostgreSQL database.
	TypePostgreSQL BackendType = "postgresql"
	// TypeOTLP forwards telemetry to another OTLP endpoint and stores nothing.
	TypeOTLP BackendType = "otlp"
)

// TelemetryBackendSpec is the desired sink: where it keeps telemetry, what it
// accepts, and how its pods run.
// +kubebuilder:validation:XValidation:rule="has(self.memory) == (self.type == 'memory')",message="memory must be set when type is memory, and only then (memory: {} takes the defaults)",fieldPath=".memory"
// +kubebuilder:validation:XValidation:rule="has(self.sqlite) == (self.type == 'sqlite')",message="sqlite must be set when type is sqlite, and only then (sqlite: {} takes the defaults)",fieldPath=".sqlite"
// +kubebuilder:validation:XValidation:rule="has(self.postgresql) == (self.type == 'postgresql')",message="postgresql (with connectionSecretRef) must be set when type is postgresql, and only then",fieldPath=".postgresql"
// +kubebuilder:validation:XValidation:rule="has(self.otlp) == (self.type == 'otlp')",message="otlp (with endpoint) must be set when type is otlp, and only then",fieldPath=".otlp"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['memory', 'sqlite']) || !has(self.sink) || !has(self.sink.replicas) || self.sink.replicas <= 1",message="replicas must be 0 or 1 for memory and sqlite (memory is per process, SQLite has one writer); use postgresql or otlp to run several replicas",fieldPath=".sink.replicas"
// +kubebuilder:validation:XValidation:rule="self.type != 'otlp' || !has(self.retention) || !has(self.retention.maxAge)",message="maxAge does not apply to the export-only otlp backend; remove retention.maxAge",fieldPath=".retention.maxAge"
type TelemetryBackendSpec struct {
	// Type is where the sink keeps telemetry: memory, sqlite, postgresql or
	// otlp. It cannot change after creation; create a new TelemetryBackend
	// to switch types. The block of the same name configures it.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="type is immutable: create a new TelemetryBackend of the new type and point workloads at it"
	// +required
	Type BackendType `json:"type"`

	// Sampling decides which traces the sink keeps.
	// +kubebuilder:default={}
	// +optional
	Sampling Sampling `json:"sampling,omitzero"`

	// Buffer batches records before they reach the store.
	// +kubebuilder:default={}
	// +optional
	Buffer Buffer `json:"buffer,omitzero"`

	// Signals switch each kind of telemetry on or off.
	// +kubebuilder:default={}
	// +optional
	Signals Signals `json:"signals,omitzero"`

	// Metadata are attributes stamped on every stored record, such as
	// environment: production.
	// +kubebuilder:validation:MaxProperties=64
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`

	// Memory configures the memory type; required exactly when type is memory.
	// +optional
	Memory *MemorySpec `json:"memory,omitempty"`

	// SQLite configures the sqlite type; required exactly when type is sqlite.
	// +optional
	SQLite *SQLiteSpec `json:"sqlite,omitempty"`

	// PostgreSQL configures the postgresql type; required exactly when type
	// is postgresql.
	// +optional
	PostgreSQL *PostgreSQLSpec `json:"postgresql,omitempty"`

	// OTLP configures the otlp type; required exactly when type is otlp.
	// +optional
	OTLP *OTLPSpec `json:"otlp,omitempty"`

	// Retention deletes old data periodically (memory, sqlite, postgresql).
	// +optional
	Retention *Retention `json:"retention,omitempty"`

	// Sink shapes the sink's pods: image, replicas and scheduling.
	// +optional
	Sink *SinkSpec `json:"sink,omitempty"`
}

// Sampling keeps a share of all traces, decided by trace id so that every
// span of a trace gets the same decision.
type Sampling struct {
	// Rate is the share of traces kept, a decimal string from "0" to "1"
	// such as "0.1" for one trace in ten.
	// +kubebuilder:default="1"
	// +kubebuilder:validation:MaxLength=20
	// +kubebuilder:validation:XValidation:rule="self.matches('^[01]([.][0-9]+)?$') && double(self) <= 1.0",message="must be a decimal number between 0 and 1, such as 0.1"
	// +optional
	Rate string `json:"rate,omitempty"`
}

// Buffer batches records: a batch is written when it holds size records or
// when exportInterval has passed, whichever comes first.
// +kubebuilder:validation:XValidation:rule="!has(self.size) || (has(self.maxQueue) ? self.maxQueue >= self.size : self.size <= 100000)",message="maxQueue (default 100000) must be at least buffer.size; raise buffer.maxQueue or lower buffer.size",fieldPath=".maxQueue"
type Buffer struct {
	// Size is the number of records written per batch.
	// +kubebuilder:default=100
	// +kubebuilder:validation:Minimum=1
	// +optional
	Size int32 `json:"size,omitempty"`

	// ExportInterval writes a partial batch after this long, such as 5s.
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) > duration('0s')",message="must be a positive duration such as 5s or 1m30s"
	// +optional
	ExportInterval *metav1.Duration `json:"exportInterval,omitempty"`

	// MaxQueue bounds the records waiting for a slow store (default 100000);
	// past it the sink answers senders with OTLP's retryable errors instead
	// of dropping data.
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxQueue *int32 `json:"maxQueue,omitempty"`

	// Acknowledge is when the sink answers an export request. "stored":
	// once every record of it is stored (committed for sqlite and
	// postgresql, accepted by the destination for otlp), so a crash of the
	// sink loses nothing it acknowledged. "received": once the records are
	// queued, which answers sooner but lets a crash (OOM kill, eviction, a
	// lost node) lose what is queued. Default: stored, but received for
	// memory, whose data a restart loses anyway.
	// +kubebuilder:validation:Enum=stored;received
	// +optional
	Acknowledge string `json:"acknowledge,omitempty"`
}

// Signals switch each kind of telemetry on or off.
type Signals struct {
	// Traces turns trace and span collection on or off.
	// +kubebuilder:default=true
	// +optional
	Traces *bool `json:"traces,omitempty"`

	// Events turns event collection on or off: span events, and log records
	// that carry an event name.
	// +kubebuilder:default=true
	// +optional
	Events *bool `json:"events,omitempty"`

	// Metrics turns metric collection on or off.
	// +kubebuilder:default=true
	// +optional
	Metrics *bool `json:"metrics,omitempty"`

	// Logs turns the collection of log records on or off: every OTLP log
	// record, kept whole. With both logs and events off, workloads are
	// injected with OTEL_LOGS_EXPORTER=none.
	// +kubebuilder:default=true
	// +optional
	Logs *bool `json:"logs,omitempty"`
}

// Retention deletes data older than maxAge, checking every interval.
type Retention struct {
	// MaxAge is how long data is kept, such as 168h; unset keeps everything.
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) > duration('0s')",message="must be a positive duration such as 168h"
	// +optional
	MaxAge *metav1.Duration `json:"maxAge,omitempty"`

	// Interval is the time between two cleanups.
	// +kubebuilder:default="1m"
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) > duration('0s')",message="must be a positive duration such as 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`
}

// TelemetryBackendStatus is what the cluster shows of the sink.
type TelemetryBackendStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready (the sink serves), Progressing (a rollout is
	// under way) and Degraded (something needs a fix, named in the reason
	// and message).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Endpoints are the URLs at which workloads reach the sink.
	// +optional
	Endpoints Endpoints `json:"endpoints,omitzero"`

	// ReadyReplicas is the number of sink pods ready to receive telemetry.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
}

// Endpoints are full URLs of the sink's Service.
type Endpoints struct {
	// OTLPGRPC is the OTLP/gRPC receiver, such as http://<svc>.<ns>.svc:4317.
	// +optional
	OTLPGRPC string `json:"otlpGrpc,omitempty"`

	// OTLPHTTP is the OTLP/HTTP receiver, such as http://<svc>.<ns>.svc:4318.
	// +optional
	OTLPHTTP string `json:"otlpHttp,omitempty"`

	// Query is the query API, such as http://<svc>.<ns>.svc:8080.
	// +optional
	Query string `json:"query,omitempty"`
}

// TelemetryBackend is a telemetry sink: OTLP receivers in front of a memory,
// SQLite, PostgreSQL or OTLP-export store, run by the operator.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=tb,categories=telemetry
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Sampling",type=string,JSONPath=`.spec.sampling.rate`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Endpoint",type=string,JSONPath=`.status.endpoints.otlpGrpc`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TelemetryBackend struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the desired sink.
	// +required
	Spec TelemetryBackendSpec `json:"spec"`

	// status is what the cluster shows of the sink.
	// +optional
	Status TelemetryBackendStatus `json:"status,omitzero"`
}

// TelemetryBackendList is a list of TelemetryBackends.
// +kubebuilder:object:root=true
type TelemetryBackendList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitzero"`
	// items are the TelemetryBackends.
	Items []TelemetryBackend `json:"items"`
}
