package inject

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// StatusInjected is the status of a pod whose containers report to a backend.
const StatusInjected = "injected"

// Skipped is the status of a pod left alone on purpose.
func Skipped(reason string) string { return "skipped: " + reason }

// Errored is the status of a pod that asked for injection and did not get it.
func Errored(reason string) string { return "error: " + reason }

// IsError reports whether status is an error status.
func IsError(status string) bool { return strings.HasPrefix(status, "error: ") }

// Annotate records the outcome on the pod; backend is namespace/name, or ""
// when no backend was injected.
func Annotate(pod *corev1.Pod, status, backend string) {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[AnnotationStatus] = status
	if backend == "" {
		delete(pod.Annotations, AnnotationBackend)
		return
	}
	pod.Annotations[AnnotationBackend] = backend
}

// Pod appends the environment of s to the pod's containers (all of them, or
// those named in AnnotationContainerNames) and returns the names of the
// containers it selected. provided lists, per container, the variables its
// envFrom sources already set. Running it again on its output adds nothing.
func Pod(pod *corev1.Pod, s Settings, provided map[string]map[string]bool) []string {
	names := ContainerNames(pod.Annotations)
	w := WorkloadOf(pod)
	service := ServiceName(pod, w)
	var selected []string
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if names != nil && !slices.Contains(names, c.Name) {
			continue
		}
		c.Env = append(c.Env, ContainerEnv(c, s, service, w, provided[c.Name])...)
		selected = append(selected, c.Name)
	}
	return selected
}

// Only picks the single backend that "true" refers to among those in the
// pod's namespace.
func Only(namespace string, backends []telemetryv1alpha1.TelemetryBackend) (*telemetryv1alpha1.TelemetryBackend, error) {
	switch len(backends) {
	case 0:
		return nil, fmt.Errorf("no TelemetryBackend in namespace %s", namespace)
	case 1:
		return &backends[0], nil
	}
	names := make([]string, len(backends))
	for i, b := range backends {
		names[i] = b.Name
	}
	slices.Sort(names)
	return nil, fmt.Errorf("%d TelemetryBackends in namespace %s (%s): name one in %s",
		len(backends), namespace, strings.Join(names, ", "), AnnotationInject)
}
