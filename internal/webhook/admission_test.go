package webhook

import (
	"context"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// newBackend creates a memory backend; with endpoints, it also writes them
// to status as the reconciler would.
func newBackend(t testing.TB, ns, name string, spec func(*telemetryv1alpha1.TelemetryBackendSpec), endpoints *telemetryv1alpha1.Endpoints) {
	t.Helper()
	b := &telemetryv1alpha1.TelemetryBackend{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       telemetryv1alpha1.TelemetryBackendSpec{Type: telemetryv1alpha1.TypeMemory, Memory: &telemetryv1alpha1.MemorySpec{}},
	}
	if spec != nil {
		spec(&b.Spec)
	}
	ctx := context.Background()
	if err := k8s.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if endpoints != nil {
		b.Status.Endpoints = *endpoints
		if err := k8s.Status().Update(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// The webhook reads backends from the manager's cache.
	if err := pollUntil(10*time.Second, func() bool {
		var cached telemetryv1alpha1.TelemetryBackend
		err := injector.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &cached)
		return err == nil && cached.Status.Endpoints == b.Status.Endpoints
	}); err != nil {
		t.Fatalf("backend %s/%s never reached the cache: %v", ns, name, err)
	}
}

// newPod creates a pod through the API server and returns what it stored.
func newPod(t *testing.T, ns string, annotations map[string]string, containers ...corev1.Container) *corev1.Pod {
	t.Helper()
	if len(containers) == 0 {
		containers = []corev1.Container{{Name: "app", Image: "app"}}
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "worker-", Annotations: annotations},
		Spec:       corev1.PodSpec{Containers: containers},
	}
	if err := k8s.Create(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

// envOf shows a container's env as name → value, or "field:<path>" for the
// downward API.
func envOf(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		out[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			out[e.Name] = "field:" + e.ValueFrom.FieldRef.FieldPath
		}
	}
	return out
}

// defaultEnv is what a container named app gets from a backend with
// the API defaults at endpoint.
func defaultEnv(endpoint, service string) map[string]string {
	return map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_SERVICE_NAME":           service,
		inject.EnvNamespace:           "field:metadata.namespace",
		inject.EnvPodName:             "field:metadata.name",
		inject.EnvPodUID:              "field:metadata.uid",
		inject.EnvNodeName:            "field:spec.nodeName",
		"OTEL_RESOURCE_ATTRIBUTES": "k8s.namespace.name=$(OTEL_K8S_NAMESPACE),k8s.pod.name=$(OTEL_K8S_POD_NAME)," +
			"k8s.pod.uid=$(OTEL_K8S_POD_UID),k8s.node.name=$(OTEL_K8S_NODE_NAME),k8s.container.name=app",
		"OTEL_TRACES_SAMPLER":             "parentbased_traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":         "1",
		"OTEL_BSP_SCHEDULE_DELAY":         "5000",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE":  "100",
		"OTEL_BLRP_SCHEDULE_DELAY":        "5000",
		"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "100",
		"OTEL_METRIC_EXPORT_INTERVAL":     "5000",
	}
}

// with returns base changed by the pairs; an empty value deletes the key.
func with(base map[string]string, pairs ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			delete(out, pairs[i])
			continue
		}
		out[pairs[i]] = pairs[i+1]
	}
	return out
}

func statusEndpoints(host string) *telemetryv1alpha1.Endpoints {
	return &telemetryv1alpha1.Endpoints{OTLPGRPC: "http://" + host + ":4317", OTLPHTTP: "http://" + host + ":4318"}
}

func annotations(pairs ...string) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out[pairs[i]] = pairs[i+1]
	}
	return out
}

func TestMissingBackendAdmitsThePodWithAnErrorAndAnEvent(t *testing.T) {
	ns := newNamespace(t, nil)
	yes := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, GenerateName: "api-6c9d-",
			Annotations: annotations(inject.AnnotationInject, "nope"),
			Labels:      map[string]string{"pod-template-hash": "6c9d"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-6c9d", UID: "1b2c", Controller: &yes,
			}},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	}
	if err := k8s.Create(context.Background(), pod); err != nil {
		t.Fatalf("pod naming a missing backend was not admitted: %v", err)
	}
	want := annotations(inject.AnnotationInject, "nope",
		inject.AnnotationStatus, "error: TelemetryBackend "+ns+"/nope not found")
	if diff := cmp.Diff(want, pod.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{}, envOf(pod.Spec.Containers[0])); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	var found *eventsv1.Event
	err := pollUntil(10*time.Second, func() bool {
		var list eventsv1.EventList
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return false
		}
		for i := range list.Items {
			if list.Items[i].Reason == ReasonInjectionFailed {
				found = &list.Items[i]
			}
		}
		return found != nil
	})
	if err != nil {
		t.Fatalf("no %s Event in %s: %v", ReasonInjectionFailed, ns, err)
	}
	got := []string{found.Type, found.Regarding.Kind, found.Regarding.Name, string(found.Regarding.UID)}
	if diff := cmp.Diff([]string{"Warning", "ReplicaSet", "api-6c9d", "1b2c"}, got); diff != "" {
		t.Errorf("event type and subject (-want +got):\n%s", diff)
	}
}

func TestTwoBackendsAreAmbiguousForTrue(t *testing.T) {
	ns := newNamespace(t, nil)
	newBackend(t, ns, "a", nil, nil)
	newBackend(t, ns, "b", nil, nil)
	pod := newPod(t, ns, annotations(inject.AnnotationInject, "true"))
	want := "error: 2 TelemetryBackends in namespace " + ns + " (a, b): name one in telemetry.spark.dev/inject"
	if got := pod.Annotations[inject.AnnotationStatus]; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
}

func TestDeploymentPodIsNamedAfterItsDeployment(t *testing.T) {
	ns := newNamespace(t, annotations(inject.AnnotationInject, "true"))
	newBackend(t, ns, "sink", nil, statusEndpoints("sink.status"))
	yes := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, GenerateName: "checkout-7f9c-", Labels: map[string]string{"pod-template-hash": "7f9c"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "checkout-7f9c", UID: "u1", Controller: &yes}},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	}
	if err := k8s.Create(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	env := envOf(pod.Spec.Containers[0])
	got := []string{env["OTEL_SERVICE_NAME"], env["OTEL_RESOURCE_ATTRIBUTES"]}
	want := []string{"checkout", "k8s.namespace.name=$(OTEL_K8S_NAMESPACE),k8s.pod.name=$(OTEL_K8S_POD_NAME)," +
		"k8s.pod.uid=$(OTEL_K8S_POD_UID),k8s.node.name=$(OTEL_K8S_NODE_NAME),k8s.container.name=app," +
		"k8s.replicaset.name=checkout-7f9c,k8s.deployment.name=checkout"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service name and resource attributes (-want +got):\n%s", diff)
	}
}

func TestKubeSystemIsExcluded(t *testing.T) {
	pod := newPod(t, "kube-system", annotations(inject.AnnotationInject, "true"))
	defer func() { _ = k8s.Delete(context.Background(), pod) }()
	if status, ok := pod.Annotations[inject.AnnotationStatus]; ok {
		t.Errorf("pod in kube-system reached the webhook: status %q", status)
	}
}

func TestSecondPassChangesNothing(t *testing.T) {
	ns := newNamespace(t, nil)
	newBackend(t, ns, "sink", nil, statusEndpoints("sink.status"))
	pod := newPod(t, ns, annotations(inject.AnnotationInject, "true"),
		corev1.Container{Name: "app", Image: "app", Env: []corev1.EnvVar{{Name: "OTEL_SERVICE_NAME", Value: "mine"}}})
	if pod.Annotations[inject.AnnotationStatus] != inject.StatusInjected {
		t.Fatalf("first pass: status %q", pod.Annotations[inject.AnnotationStatus])
	}
	resp := injector.Handle(context.Background(), admissionRequest(t, pod))
	if !resp.Allowed || len(resp.Patches) != 0 {
		t.Errorf("second pass: allowed %v, patches %v; want allowed with no patch", resp.Allowed, resp.Patches)
	}
}

// admissionRequest wraps pod in a CREATE request as the API server sends it.
func admissionRequest(t testing.TB, pod *corev1.Pod) admission.Request {
	t.Helper()
	raw, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       types.UID("req"),
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Operation: admissionv1.Create,
		Namespace: pod.Namespace,
		Object:    runtime.RawExtension{Raw: raw},
	}}
}

func TestVariablesFromEnvFromConfigMapsAreNotOverridden(t *testing.T) {
	ns := newNamespace(t, nil)
	newBackend(t, ns, "sink", nil, statusEndpoints("sink.status"))
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "otel"},
		Data:       map[string]string{"SERVICE_NAME": "from-configmap", "EXPORTER_OTLP_ENDPOINT": "http://mine:4317"},
	}
	if err := k8s.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
	pod := newPod(t, ns, annotations(inject.AnnotationInject, "true"), corev1.Container{
		Name: "app", Image: "app",
		EnvFrom: []corev1.EnvFromSource{{Prefix: "OTEL_", ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "otel"},
		}}},
	})
	want := with(defaultEnv("", ""),
		"OTEL_SERVICE_NAME", "", "OTEL_EXPORTER_OTLP_ENDPOINT", "", "OTEL_EXPORTER_OTLP_PROTOCOL", "")
	if diff := cmp.Diff(want, envOf(pod.Spec.Containers[0])); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestDryRunRecordsNoEvent(t *testing.T) {
	ns := newNamespace(t, nil)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dry", Annotations: annotations(inject.AnnotationInject, "missing")},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	}
	for _, dryRun := range []bool{true, false} {
		recorder := events.NewFakeRecorder(10)
		h := *injector
		h.Events = EventRecorder{Recorder: recorder}
		req := admissionRequest(t, pod)
		req.DryRun = &dryRun
		if resp := h.Handle(context.Background(), req); !resp.Allowed {
			t.Fatalf("dry run %v: pod denied", dryRun)
		}
		want := 1
		if dryRun {
			want = 0
		}
		if got := len(recorder.Events); got != want {
			t.Errorf("dry run %v: %d Events recorded, want %d", dryRun, got, want)
		}
	}
}

func TestOutcomesAreCounted(t *testing.T) {
	before := testutil.ToFloat64(injections.WithLabelValues("error"))
	ns := newNamespace(t, nil)
	newPod(t, ns, annotations(inject.AnnotationInject, "missing"))
	if got := testutil.ToFloat64(injections.WithLabelValues("error")) - before; got != 1 {
		t.Errorf("error outcomes counted %v times, want 1", got)
	}
}
