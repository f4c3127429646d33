package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// defaulted is a backend as the API server stores it after applying the
// CRD's defaults, so that builders are tested on what they really receive.
func defaulted(name string, t telemetryv1alpha1.BackendType) *telemetryv1alpha1.TelemetryBackend {
	return &telemetryv1alpha1.TelemetryBackend{
		TypeMeta:   metav1.TypeMeta{APIVersion: telemetryv1alpha1.GroupVersion.String(), Kind: "TelemetryBackend"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "observability", UID: "6f1c9a52-0000-4000-8000-000000000001"},
		Spec: telemetryv1alpha1.TelemetryBackendSpec{
			Type:     t,
			Sampling: telemetryv1alpha1.Sampling{Rate: "1"},
			Buffer:   telemetryv1alpha1.Buffer{Size: 100, ExportInterval: &metav1.Duration{Duration: 5e9}},
			Signals:  telemetryv1alpha1.Signals{Traces: ptr.To(true), Events: ptr.To(true), Metrics: ptr.To(true)},
		},
	}
}

func memoryBackend() *telemetryv1alpha1.TelemetryBackend {
	b := defaulted("dev", telemetryv1alpha1.TypeMemory)
	b.Spec.Memory = &telemetryv1alpha1.MemorySpec{MaxTraces: 10000, MaxEvents: 100000, MaxMetricPoints: 100000}
	return b
}

func sqliteBackend() *telemetryv1alpha1.TelemetryBackend {
	b := defaulted("local", telemetryv1alpha1.TypeSQLite)
	size := resource.MustParse("1Gi")
	b.Spec.SQLite = &telemetryv1alpha1.SQLiteSpec{
		Path:    "/var/lib/telemetry/telemetry.db",
		Storage: telemetryv1alpha1.Storage{Size: &size},
	}
	return b
}

func postgresqlBackend() *telemetryv1alpha1.TelemetryBackend {
	b := defaulted("prod", telemetryv1alpha1.TypePostgreSQL)
	b.Spec.Sampling.Rate = "0.1"
	b.Spec.PostgreSQL = &telemetryv1alpha1.PostgreSQLSpec{
		ConnectionSecretRef: telemetryv1alpha1.SecretKeyRef{Name: "telemetry-db", Key: "url"},
	}
	b.Spec.Retention = &telemetryv1alpha1.Retention{
		MaxAge: &metav1.Duration{Duration: 168 * time.Hour}, Interval: &metav1.Duration{Duration: time.Minute},
	}
	return b
}

func otlpBackend() *telemetryv1alpha1.TelemetryBackend {
	b := defaulted("tempo", telemetryv1alpha1.TypeOTLP)
	b.Spec.OTLP = &telemetryv1alpha1.OTLPSpec{
		Endpoint: "http://tempo.observability:4317",
		Protocol: telemetryv1alpha1.ProtocolGRPC,
		Timeout:  &metav1.Duration{Duration: 10e9},
	}
	return b
}

// fullBackend sets every field of the spec.
func fullBackend() *telemetryv1alpha1.TelemetryBackend {
	b := defaulted("everything", telemetryv1alpha1.TypeOTLP)
	b.Spec.Sampling.Rate = "0.25"
	b.Spec.Buffer = telemetryv1alpha1.Buffer{
		Size: 500, ExportInterval: &metav1.Duration{Duration: 15e9}, MaxQueue: ptr.To[int32](50000),
	}
	b.Spec.Signals.Events = ptr.To(false)
	b.Spec.Metadata = map[string]string{"environment": "production", "service.namespace": "shop"}
	b.Spec.OTLP = &telemetryv1alpha1.OTLPSpec{
		Endpoint:         "https://api.honeycomb.io:443",
		Protocol:         telemetryv1alpha1.ProtocolHTTP,
		HeadersSecretRef: &telemetryv1alpha1.SecretRef{Name: "honeycomb-headers"},
		Insecure:         false,
		Timeout:          &metav1.Duration{Duration: 30e9},
	}
	b.Spec.Sink = &telemetryv1alpha1.SinkSpec{
		Image:           "registry.example.com/telemetry-sink:v2",
		ImagePullPolicy: corev1.PullIfNotPresent,
		Replicas:        ptr.To[int32](3),
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
		},
		NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
		Tolerations:  []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "telemetry", Effect: corev1.TaintEffectNoSchedule}},
		Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
				Weight: 100,
				PodAffinityTerm: corev1.PodAffinityTerm{
					TopologyKey:   "kubernetes.io/hostname",
					LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelInstance: "everything"}},
				},
			}},
		}},
		PodAnnotations: map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
	}
	return b
}

// fixtures are the golden-tested backends, by the name of their files.
func fixtures() map[string]*telemetryv1alpha1.TelemetryBackend {
	return map[string]*telemetryv1alpha1.TelemetryBackend{
		"memory":     memoryBackend(),
		"sqlite":     sqliteBackend(),
		"postgresql": postgresqlBackend(),
		"otlp":       otlpBackend(),
		"full":       fullBackend(),
	}
}
