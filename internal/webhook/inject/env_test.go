package inject

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

func backend(mutate func(*telemetryv1alpha1.TelemetryBackend)) *telemetryv1alpha1.TelemetryBackend {
	b := &telemetryv1alpha1.TelemetryBackend{
		ObjectMeta: metav1.ObjectMeta{Namespace: "obs", Name: "sink"},
		Spec: telemetryv1alpha1.TelemetryBackendSpec{
			Type:     telemetryv1alpha1.BackendType("memory"),
			Sampling: telemetryv1alpha1.Sampling{Rate: "0.25"},
			Buffer:   telemetryv1alpha1.Buffer{Size: 200, ExportInterval: &metav1.Duration{Duration: 2 * time.Second}},
		},
		Status: telemetryv1alpha1.TelemetryBackendStatus{Endpoints: telemetryv1alpha1.Endpoints{
			OTLPGRPC: "http://status-grpc.obs.svc:4317", OTLPHTTP: "http://status-http.obs.svc:4318",
		}},
	}
	if mutate != nil {
		mutate(b)
	}
	return b
}

func TestSettingsFor(t *testing.T) {
	off := false
	tests := []struct {
		name     string
		b        *telemetryv1alpha1.TelemetryBackend
		protocol string
		want     Settings
	}{
		{"grpc uses status.endpoints.otlpGrpc", backend(nil), ProtocolGRPC, Settings{
			Backend: Ref{"obs", "sink"}, Endpoint: "http://status-grpc.obs.svc:4317", Protocol: ProtocolGRPC,
			SamplingRate: "0.25", BatchSize: 200, ExportInterval: 2 * time.Second, Traces: true, Events: true, Metrics: true, Logs: true,
		}},
		{"http/protobuf uses status.endpoints.otlpHttp", backend(nil), ProtocolHTTP, Settings{
			Backend: Ref{"obs", "sink"}, Endpoint: "http://status-http.obs.svc:4318", Protocol: ProtocolHTTP,
			SamplingRate: "0.25", BatchSize: 200, ExportInterval: 2 * time.Second, Traces: true, Events: true, Metrics: true, Logs: true,
		}},
		{"no status yet: endpoint of the sink Service convention and API defaults", backend(func(b *telemetryv1alpha1.TelemetryBackend) {
			b.Status = telemetryv1alpha1.TelemetryBackendStatus{}
			b.Spec.Sampling, b.Spec.Buffer = telemetryv1alpha1.Sampling{}, telemetryv1alpha1.Buffer{}
			b.Spec.Signals = telemetryv1alpha1.Signals{Metrics: &off}
		}), ProtocolGRPC, Settings{
			Backend: Ref{"obs", "sink"}, Endpoint: "http://sink-sink.obs.svc:4317", Protocol: ProtocolGRPC,
			SamplingRate: "1", BatchSize: 100, ExportInterval: 5 * time.Second, Traces: true, Events: true, Logs: true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, SettingsFor(tt.b, tt.protocol)); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}
}

// fullEnv is everything a container with no OTEL_* variables gets from
// backend(nil) over gRPC, as a Deployment "checkout" pod.
func fullEnv(container string) []corev1.EnvVar {
	return []corev1.EnvVar{
		value("OTEL_EXPORTER_OTLP_ENDPOINT", "http://status-grpc.obs.svc:4317"),
		value("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
		value("OTEL_SERVICE_NAME", "checkout"),
		field(EnvNamespace, "metadata.namespace"),
		field(EnvPodName, "metadata.name"),
		field(EnvPodUID, "metadata.uid"),
		field(EnvNodeName, "spec.nodeName"),
		value("OTEL_RESOURCE_ATTRIBUTES", "k8s.namespace.name=$(OTEL_K8S_NAMESPACE),k8s.pod.name=$(OTEL_K8S_POD_NAME),"+
			"k8s.pod.uid=$(OTEL_K8S_POD_UID),k8s.node.name=$(OTEL_K8S_NODE_NAME),k8s.container.name="+container+","+
			"k8s.replicaset.name=checkout-7f9c,k8s.deployment.name=checkout,env=prod,team=a%2Cb%3Dc%20d"),
		value("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
		value("OTEL_TRACES_SAMPLER_ARG", "0.25"),
		value("OTEL_BSP_SCHEDULE_DELAY", "2000"),
		value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"),
		value("OTEL_BLRP_SCHEDULE_DELAY", "2000"),
		value("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "200"),
		value("OTEL_METRIC_EXPORT_INTERVAL", "2000"),
	}
}

var checkout = Workload{Kind: "Deployment", Name: "checkout", Attributes: [][2]string{
	{"k8s.replicaset.name", "checkout-7f9c"}, {"k8s.deployment.name", "checkout"}}}

func TestContainerEnv(t *testing.T) {
	meta := func(b *telemetryv1alpha1.TelemetryBackend) {
		b.Spec.Metadata = map[string]string{"team": "a,b=c d", "env": "prod", "k8s.pod.name": "ignored"}
	}
	base := SettingsFor(backend(meta), ProtocolGRPC)
	full := fullEnv("app")
	without := func(names ...string) []corev1.EnvVar {
		var out []corev1.EnvVar
		for _, e := range full {
			if !slices.Contains(names, e.Name) {
				out = append(out, e)
			}
		}
		return out
	}
	disabled := base
	disabled.Traces, disabled.Events, disabled.Logs = false, false, false
	eventsOff := base
	eventsOff.Events = false
	big := base
	big.BatchSize = 5000

	tests := []struct {
		name     string
		env      []corev1.EnvVar
		provided map[string]bool
		s        Settings
		want     []corev1.EnvVar
	}{
		{"empty container gets everything", nil, nil, base, full},
		{"own endpoint keeps the protocol unset too", []corev1.EnvVar{value("OTEL_EXPORTER_OTLP_ENDPOINT", "http://mine:4317")}, nil, base,
			without("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL")},
		{"own sampler keeps the ratio unset too", []corev1.EnvVar{value("OTEL_TRACES_SAMPLER", "always_on")}, nil, base,
			without("OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG")},
		{"own resource attributes need no downward-API helpers", []corev1.EnvVar{value("OTEL_RESOURCE_ATTRIBUTES", "a=b")}, nil, base,
			without("OTEL_RESOURCE_ATTRIBUTES", EnvNamespace, EnvPodName, EnvPodUID, EnvNodeName)},
		{"own helper variable is reused, not duplicated", []corev1.EnvVar{field(EnvNodeName, "spec.nodeName")}, nil, base,
			without(EnvNodeName)},
		{"variables from envFrom count as set", nil, map[string]bool{"OTEL_SERVICE_NAME": true}, base,
			without("OTEL_SERVICE_NAME")},
		{"disabled signals get exporter none", nil, nil, disabled,
			append(fullEnv("app"), value("OTEL_TRACES_EXPORTER", "none"), value("OTEL_LOGS_EXPORTER", "none"))},
		{"logs keep the log exporter while events are off", nil, nil, eventsOff, fullEnv("app")},
		{"own exporter choice beats a disabled signal", []corev1.EnvVar{value("OTEL_TRACES_EXPORTER", "otlp")}, nil, disabled,
			append(fullEnv("app"), value("OTEL_LOGS_EXPORTER", "none"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &corev1.Container{Name: "app", Env: tt.env}
			got := ContainerEnv(c, tt.s, "checkout", checkout, tt.provided)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("batches above the SDK queue raise the queue", func(t *testing.T) {
		got := ContainerEnv(&corev1.Container{Name: "app"}, big, "checkout", checkout, nil)
		want := []corev1.EnvVar{value("OTEL_BSP_MAX_QUEUE_SIZE", "5000"), value("OTEL_BLRP_MAX_QUEUE_SIZE", "5000")}
		if diff := cmp.Diff(want, got[len(got)-2:]); diff != "" {
			t.Errorf("queue variables (-want +got):\n%s", diff)
		}
	})
}
