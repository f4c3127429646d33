package webhook

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// central is a backend in its own namespace with every client-side setting
// away from its default, named by pods as "<namespace>/central".
func central(t *testing.T) string {
	t.Helper()
	ns := newNamespace(t, nil)
	newBackend(t, ns, "central", func(s *telemetryv1alpha1.TelemetryBackendSpec) {
		s.Sampling.Rate = "0.1"
		s.Buffer.Size = 512
		s.Buffer.ExportInterval = &metav1.Duration{Duration: 1500 * time.Millisecond}
		s.Signals.Metrics = ptr.To(false)
		s.Signals.Events = ptr.To(false)
		s.Signals.Logs = ptr.To(false)
		s.Metadata = map[string]string{"deployment.environment": "prod"}
	}, statusEndpoints("central-sink.obs.svc"))
	return ns
}

func TestPodsCreatedThroughTheAPIServerAreInjected(t *testing.T) {
	shared := central(t)
	type want struct {
		status, backend string
		env             map[string]map[string]string // container → env
	}
	tests := []struct {
		name       string
		nsAnn      map[string]string
		podAnn     map[string]string
		status     bool // the pod namespace's backend "sink" has status.endpoints
		containers []corev1.Container
		want       func(ns string) want
	}{
		{name: `"true" picks the only backend, endpoint from status`, podAnn: annotations(inject.AnnotationInject, "true"), status: true,
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{"app": defaultEnv("http://sink.status:4317", "worker")}}
			}},
		{name: "a name picks that backend; no status yet uses the Service convention", podAnn: annotations(inject.AnnotationInject, "sink"),
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{"app": defaultEnv("http://sink-sink."+ns+".svc:4317", "worker")}}
			}},
		{name: "namespace/name reaches another namespace with its sampling, buffer, signals and metadata",
			podAnn: annotations(inject.AnnotationInject, shared+"/central"),
			want: func(ns string) want {
				env := with(defaultEnv("http://central-sink.obs.svc:4317", "worker"),
					"OTEL_TRACES_SAMPLER_ARG", "0.1", "OTEL_BSP_SCHEDULE_DELAY", "1500", "OTEL_BLRP_SCHEDULE_DELAY", "1500",
					"OTEL_METRIC_EXPORT_INTERVAL", "1500", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "512",
					"OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none")
				env["OTEL_RESOURCE_ATTRIBUTES"] += ",deployment.environment=prod"
				return want{"injected", shared + "/central", map[string]map[string]string{"app": env}}
			}},
		{name: "namespace opt-in covers pods without the annotation", nsAnn: annotations(inject.AnnotationInject, "true"), status: true,
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{"app": defaultEnv("http://sink.status:4317", "worker")}}
			}},
		{name: "pod false beats namespace true", nsAnn: annotations(inject.AnnotationInject, "true"),
			podAnn: annotations(inject.AnnotationInject, "false"),
			want: func(string) want {
				return want{"skipped: opted out by pod annotation telemetry.spark.dev/inject=false", "", map[string]map[string]string{"app": {}}}
			}},
		{name: "no annotation anywhere leaves the pod untouched",
			want: func(string) want { return want{"", "", map[string]map[string]string{"app": {}}} }},
		{name: "container-names narrows the containers", status: true,
			podAnn:     annotations(inject.AnnotationInject, "true", inject.AnnotationContainerNames, "app"),
			containers: []corev1.Container{{Name: "app", Image: "app"}, {Name: "proxy", Image: "proxy"}},
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{
					"app": defaultEnv("http://sink.status:4317", "worker"), "proxy": {}}}
			}},
		{name: "pre-set variables are left alone", status: true, podAnn: annotations(inject.AnnotationInject, "true"),
			containers: []corev1.Container{{Name: "app", Image: "app", Env: []corev1.EnvVar{
				{Name: "OTEL_SERVICE_NAME", Value: "mine"}, {Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: "http://mine:4318"},
				{Name: "OTEL_TRACES_SAMPLER_ARG", Value: "0.5"}}}},
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{"app": with(defaultEnv("", ""),
					"OTEL_SERVICE_NAME", "mine", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://mine:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", "",
					"OTEL_TRACES_SAMPLER", "", "OTEL_TRACES_SAMPLER_ARG", "0.5")}}
			}},
		{name: "http/protobuf uses the HTTP endpoint", status: true,
			podAnn: annotations(inject.AnnotationInject, "true", inject.AnnotationProtocol, "http/protobuf"),
			want: func(ns string) want {
				return want{"injected", ns + "/sink", map[string]map[string]string{"app": with(defaultEnv("http://sink.status:4318", "worker"),
					"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNamespace(t, tt.nsAnn)
			var endpoints *telemetryv1alpha1.Endpoints
			if tt.status {
				endpoints = statusEndpoints("sink.status")
			}
			newBackend(t, ns, "sink", nil, endpoints)
			pod := newPod(t, ns, tt.podAnn, tt.containers...)
			got := want{pod.Annotations[inject.AnnotationStatus], pod.Annotations[inject.AnnotationBackend], map[string]map[string]string{}}
			for _, c := range pod.Spec.Containers {
				got.env[c.Name] = envOf(c)
			}
			if diff := cmp.Diff(tt.want(ns), got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("pod (-want +got):\n%s", diff)
			}
		})
	}
}
