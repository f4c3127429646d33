package controllers

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// DefaultSinkImage is the sink image when neither the manager's --sink-image
// flag nor spec.sink.image says otherwise.
const DefaultSinkImage = "ghcr.io/spark-dev/telemetry-operator:v0.1.0"

// DeploymentInputs are what the Deployment needs besides the backend: the
// image default and the hashes that roll the pods when the ConfigMap or a
// referenced Secret changes.
type DeploymentInputs struct {
	// DefaultImage is used when spec.sink.image is unset.
	DefaultImage string
	// ConfigHash is ConfigHash of the backend's ConfigMap.
	ConfigHash string
	// SecretHash is SecretHash of the referenced Secrets; empty when the
	// backend references none.
	SecretHash string
}

// Deployment runs the sink pods.
func Deployment(b *telemetryv1alpha1.TelemetryBackend, in DeploymentInputs) *appsv1.Deployment {
	sink := ptr.Deref(b.Spec.Sink, telemetryv1alpha1.SinkSpec{})
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(b, ResourceName(b), ComponentSink),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(ptr.Deref(sink.Replicas, 1)),
			Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(b)},
			Strategy: strategy(b.Spec.Type),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      Labels(b, ComponentSink),
					Annotations: podAnnotations(sink.PodAnnotations, in),
				},
				Spec: podSpec(b, &sink, in),
			},
		},
	}
}

// strategy is Recreate where two sink pods must never overlap: SQLite has a
// single writer and a memory store is per process.
func strategy(t telemetryv1alpha1.BackendType) appsv1.DeploymentStrategy {
	if t == telemetryv1alpha1.TypeSQLite || t == telemetryv1alpha1.TypeMemory {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	return appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
}

// podAnnotations are the user's pod annotations plus the hashes, which the
// user cannot override.
func podAnnotations(user map[string]string, in DeploymentInputs) map[string]string {
	a := maps.Clone(user)
	if a == nil {
		a = map[string]string{}
	}
	a[AnnotationConfigHash] = in.ConfigHash
	if in.SecretHash != "" {
		a[AnnotationSecretHash] = in.SecretHash
	} else {
		delete(a, AnnotationSecretHash)
	}
	return a
}

func podSpec(b *telemetryv1alpha1.TelemetryBackend, sink *telemetryv1alpha1.SinkSpec, in DeploymentInputs) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName:           ResourceName(b),
		AutomountServiceAccountToken: ptr.To(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			RunAsUser:      ptr.To(sinkUID),
			RunAsGroup:     ptr.To(sinkUID),
			FSGroup:        ptr.To(sinkUID),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers:   []corev1.Container{container(b, sink, in)},
		Volumes:      volumes(b),
		NodeSelector: sink.NodeSelector,
		Tolerations:  sink.Tolerations,
		Affinity:     sink.Affinity,
	}
}
