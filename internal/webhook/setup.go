package webhook

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// Path is where the manager's webhook server answers pod admission; the
// MutatingWebhookConfiguration in config/webhook points at it.
const Path = "/mutate-v1-pod"

// EventSource is the reporting controller of the webhook's Events.
const EventSource = "telemetry-operator-webhook"

// Setup registers the pod-injection webhook on mgr's webhook server. It also
// creates the Namespace and TelemetryBackend informers now, so they fill
// when the manager starts instead of on the first pod, which would then wait
// for a whole cache sync inside its admission timeout.
func Setup(ctx context.Context, mgr manager.Manager) error {
	for _, obj := range []client.Object{&corev1.Namespace{}, &telemetryv1alpha1.TelemetryBackend{}} {
		if _, err := mgr.GetCache().GetInformer(ctx, obj); err != nil {
			return err
		}
	}
	mgr.GetWebhookServer().Register(Path, &admission.Webhook{Handler: &PodInjector{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Decoder:   admission.NewDecoder(mgr.GetScheme()),
		Events:    EventRecorder{Recorder: mgr.GetEventRecorder(EventSource)},
	}})
	return nil
}
