package webhook

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// Event reasons and the action, as `kubectl get events` shows them.
const (
	ReasonInjectionFailed = "InjectionFailed"
	actionInject          = "Inject"
)

// EventRecorder turns failed injections into Warning Events.
//
// The pod itself is a poor subject: at admission it has no UID (and, made
// from a template, no name), so `kubectl describe pod` would never list the
// Event. Instead the Event is about the pod's controller (its ReplicaSet,
// Job, StatefulSet or DaemonSet, whose UID the owner reference carries) in
// the pod's namespace, so both `kubectl get events -n <ns>` and
// `kubectl describe replicaset <name>` show it; a bare pod is named by its
// name. The Namespace is no better: it is cluster-scoped, so its Events land
// in "default". When the backend exists, it is the related object, so the
// backend's owners see the failure too.
type EventRecorder struct {
	// Recorder writes events.k8s.io Events; nil records nothing.
	Recorder events.EventRecorder
}

// Failed records that pod asked for injection and did not get it.
func (r EventRecorder) Failed(ctx context.Context, pod *corev1.Pod, namespace string, o outcome) {
	if r.Recorder == nil {
		return
	}
	var related runtime.Object // A typed nil pointer here would not be nil.
	if b := o.backend; b != nil {
		related = &corev1.ObjectReference{
			APIVersion: "telemetry.spark.dev/v1alpha1", Kind: "TelemetryBackend",
			Namespace: b.Namespace, Name: b.Name, UID: b.UID,
		}
	}
	regarding := subject(pod, namespace)
	log.FromContext(ctx).Info("telemetry injection failed", "regarding", regarding.Kind+"/"+regarding.Name, "status", o.status)
	r.Recorder.Eventf(regarding, related, corev1.EventTypeWarning, ReasonInjectionFailed, actionInject,
		"telemetry not injected into pod %s: %s", podName(pod), o.status)
}

// subject is the pod's controller, else the pod by name.
func subject(pod *corev1.Pod, namespace string) *corev1.ObjectReference {
	if owner := metav1.GetControllerOf(pod); owner != nil {
		return &corev1.ObjectReference{
			APIVersion: owner.APIVersion, Kind: owner.Kind, Namespace: namespace, Name: owner.Name, UID: owner.UID,
		}
	}
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: namespace, Name: podName(pod)}
}

// podName is the pod's name, or its generateName prefix before it has one.
func podName(pod *corev1.Pod) string {
	if pod.Name != "" {
		return pod.Name
	}
	return pod.GenerateName + "<generated>"
}
