// Package webhook is the pod-injection admission webhook: it points the
// OpenTelemetry SDKs of opted-in pods at a TelemetryBackend, records the
// outcome on the pod and never blocks a pod over a telemetry problem.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get
// +kubebuilder:rbac:groups=telemetry.spark.dev,resources=telemetrybackends,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// PodInjector is the admission handler for pod CREATE.
type PodInjector struct {
	// Client reads namespaces and backends, from the manager's cache.
	Client client.Reader
	// APIReader reads the ConfigMaps of envFrom directly: caching every
	// ConfigMap of the cluster for the rare pod that uses one would cost
	// more memory than the lookup costs time.
	APIReader client.Reader
	// Decoder decodes the pod from the request.
	Decoder admission.Decoder
	// Events records failed injections where users look for them.
	Events EventRecorder
}

// outcome is what Handle decided for one pod.
type outcome struct {
	status  string
	backend *telemetryv1alpha1.TelemetryBackend
}

// Handle injects the pod and answers with the patch. Every answer allows the
// pod: a telemetry problem is recorded on the pod and in an Event, never
// turned into a failed deployment.
func (h *PodInjector) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	defer func() {
		// A bug here must not stop pods: controller-runtime's own panic
		// recovery would answer with a denial.
		if r := recover(); r != nil {
			log.FromContext(ctx).Error(fmt.Errorf("%v", r), "telemetry injection panicked")
			resp = admission.Allowed(fmt.Sprintf("telemetry injection panicked: %v", r))
		}
	}()
	pod := &corev1.Pod{}
	if err := h.Decoder.Decode(req, pod); err != nil {
		return admission.Allowed("telemetry injection: cannot decode pod: " + err.Error())
	}
	namespace := req.Namespace
	if namespace == "" {
		namespace = pod.Namespace
	}
	o, touched := h.mutate(ctx, pod, namespace)
	if !touched {
		return admission.Allowed("not opted in")
	}
	countOutcome(o.status)
	// The webhook declares sideEffects None, so a dry run (kubectl apply
	// --dry-run=server) must not leave an Event behind.
	if inject.IsError(o.status) && (req.DryRun == nil || !*req.DryRun) {
		h.Events.Failed(ctx, pod, namespace, o)
	}
	patched, err := json.Marshal(pod)
	if err != nil {
		return admission.Allowed("telemetry injection: " + err.Error())
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, patched)
}

// mutate injects pod in place and annotates the outcome; touched is false
// for a pod that neither it nor its namespace opted in or out, which is left
// exactly as it came.
func (h *PodInjector) mutate(ctx context.Context, pod *corev1.Pod, namespace string) (outcome, bool) {
	nsAnnotations, err := h.namespaceAnnotations(ctx, namespace)
	if err != nil && pod.Annotations[inject.AnnotationInject] == "" {
		// Without the namespace we cannot know whether it opted in; the
		// pod itself did not, so it is left alone rather than guessed at.
		log.FromContext(ctx).Error(err, "reading namespace for injection", "namespace", namespace)
		return outcome{}, false
	}
	d, err := inject.Decide(pod.Annotations, nsAnnotations, namespace)
	if !d.Explicit {
		return outcome{}, false
	}
	o := h.injectDecided(ctx, pod, namespace, nsAnnotations, d, err)
	backend := ""
	if o.backend != nil && o.status == inject.StatusInjected {
		backend = o.backend.Namespace + "/" + o.backend.Name
	}
	inject.Annotate(pod, o.status, backend)
	return o, true
}

// injectDecided carries out an explicit decision d (decideErr when the
// annotation was malformed) and returns the outcome.
func (h *PodInjector) injectDecided(ctx context.Context, pod *corev1.Pod, namespace string,
	nsAnnotations map[string]string, d inject.Decision, decideErr error) outcome {
	switch {
	case decideErr != nil:
		return outcome{status: inject.Errored(decideErr.Error())}
	case !d.OptedIn:
		return outcome{status: inject.Skipped(fmt.Sprintf("opted out by %s annotation %s=false", d.Source, inject.AnnotationInject))}
	}
	b, err := h.backend(ctx, d.Ref)
	if err != nil {
		return outcome{status: inject.Errored(err.Error())}
	}
	protocol, err := inject.Protocol(pod.Annotations, nsAnnotations)
	if err != nil {
		return outcome{status: inject.Errored(err.Error()), backend: b}
	}
	provided := h.envFromKeys(ctx, pod, namespace)
	if selected := inject.Pod(pod, inject.SettingsFor(b, protocol), provided); len(selected) == 0 {
		return outcome{status: inject.Skipped(fmt.Sprintf("no container named %s (annotation %s)",
			strings.Join(inject.ContainerNames(pod.Annotations), ", "), inject.AnnotationContainerNames)), backend: b}
	}
	return outcome{status: inject.StatusInjected, backend: b}
}

// namespaceAnnotations returns the annotations of the pod's namespace.
func (h *PodInjector) namespaceAnnotations(ctx context.Context, name string) (map[string]string, error) {
	var ns corev1.Namespace
	if err := h.Client.Get(ctx, client.ObjectKey{Name: name}, &ns); err != nil {
		return nil, err
	}
	return ns.Annotations, nil
}

// backend fetches the backend ref names, or the only one of its namespace.
func (h *PodInjector) backend(ctx context.Context, ref inject.Ref) (*telemetryv1alpha1.TelemetryBackend, error) {
	if ref.Name != "" {
		var b telemetryv1alpha1.TelemetryBackend
		err := h.Client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, &b)
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("TelemetryBackend %s not found", ref)
		}
		if err != nil {
			return nil, fmt.Errorf("reading TelemetryBackend %s: %w", ref, err)
		}
		return &b, nil
	}
	var list telemetryv1alpha1.TelemetryBackendList
	if err := h.Client.List(ctx, &list, client.InNamespace(ref.Namespace)); err != nil {
		return nil, fmt.Errorf("listing TelemetryBackends in %s: %w", ref.Namespace, err)
	}
	return inject.Only(ref.Namespace, list.Items)
}
