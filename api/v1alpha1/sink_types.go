package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// SinkSpec shapes the sink's pods.
type SinkSpec struct {
	// Image of the sink; unset uses the operator's default sink image.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Image string `json:"image,omitempty"`

	// ImagePullPolicy of the sink container.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// Replicas is the number of sink pods (default 1). Only postgresql and
	// otlp may run more than one: SQLite has a single writer and memory is
	// per process.
	// +kubebuilder:validation:Minimum=0
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources of the sink container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitzero"`

	// NodeSelector constrains the nodes the sink pods run on.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Tolerations of the sink pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// Affinity of the sink pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// PodAnnotations are added to the sink pods, such as for a service mesh
	// or a metrics scraper.
	// +optional
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`
}
