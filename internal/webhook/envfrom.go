package webhook

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// envFromKeys lists, per container, the OTEL_* variables its envFrom
// ConfigMaps set, because an explicit env entry would silently override
// them. Secrets are not read: the operator has no business reading every
// Secret of the cluster, so a variable set only through an envFrom Secret is
// not seen (docs/injection.md says to set such variables in env).
func (h *PodInjector) envFromKeys(ctx context.Context, pod *corev1.Pod, namespace string) map[string]map[string]bool {
	selected := inject.ContainerNames(pod.Annotations)
	out := map[string]map[string]bool{}
	cache := map[string]*corev1.ConfigMap{}
	for _, c := range pod.Spec.Containers {
		if selected != nil && !slices.Contains(selected, c.Name) {
			continue
		}
		for _, src := range c.EnvFrom {
			if src.ConfigMapRef == nil {
				continue
			}
			cm := h.configMap(ctx, namespace, src.ConfigMapRef.Name, cache)
			for key := range cm.Data {
				if out[c.Name] == nil {
					out[c.Name] = map[string]bool{}
				}
				out[c.Name][src.Prefix+key] = true
			}
		}
	}
	return out
}

// configMap reads a ConfigMap once per request; a missing or unreadable one
// counts as empty, as the kubelet treats an optional one.
func (h *PodInjector) configMap(ctx context.Context, namespace, name string, cache map[string]*corev1.ConfigMap) *corev1.ConfigMap {
	if cm, ok := cache[name]; ok {
		return cm
	}
	cm := &corev1.ConfigMap{}
	if err := h.APIReader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, cm); err != nil {
		log.FromContext(ctx).V(1).Info("envFrom ConfigMap not readable; its keys are not protected", "name", name, "error", err.Error())
		cm = &corev1.ConfigMap{}
	}
	cache[name] = cm
	return cm
}
