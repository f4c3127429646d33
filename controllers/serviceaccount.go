package controllers

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// ServiceAccount is the sink's own identity. The sink never calls the
// Kubernetes API, so its token is not mounted.
func ServiceAccount(b *telemetryv1alpha1.TelemetryBackend) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   objectMeta(b, ResourceName(b), ComponentSink),
		AutomountServiceAccountToken: ptr.To(false),
	}
}
