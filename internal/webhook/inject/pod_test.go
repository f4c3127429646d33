package inject

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

func checkoutPod(annotations map[string]string, containers ...string) *corev1.Pod {
	yes := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: "shop", GenerateName: "checkout-7f9c-", Annotations: annotations,
		Labels:          map[string]string{"pod-template-hash": "7f9c"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "checkout-7f9c", Controller: &yes}},
	}}
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c})
	}
	return pod
}

func TestPod(t *testing.T) {
	s := SettingsFor(backend(func(b *telemetryv1alpha1.TelemetryBackend) {
		b.Spec.Metadata = map[string]string{"team": "a,b=c d", "env": "prod"}
	}), ProtocolGRPC)
	tests := []struct {
		name         string
		annotations  map[string]string
		wantSelected []string
		wantEnv      map[string][]corev1.EnvVar
	}{
		{"every container by default", nil, []string{"app", "proxy"},
			map[string][]corev1.EnvVar{"app": fullEnv("app"), "proxy": fullEnv("proxy")}},
		{"container-names narrows", map[string]string{AnnotationContainerNames: "proxy"}, []string{"proxy"},
			map[string][]corev1.EnvVar{"app": nil, "proxy": fullEnv("proxy")}},
		{"container-names matching nothing selects nothing", map[string]string{AnnotationContainerNames: "nope"}, nil,
			map[string][]corev1.EnvVar{"app": nil, "proxy": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := checkoutPod(tt.annotations, "app", "proxy")
			selected := Pod(pod, s, nil)
			if diff := cmp.Diff(tt.wantSelected, selected); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
			got := map[string][]corev1.EnvVar{}
			for _, c := range pod.Spec.Containers {
				got[c.Name] = c.Env
			}
			if diff := cmp.Diff(tt.wantEnv, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPodTwiceChangesNothing(t *testing.T) {
	s := SettingsFor(backend(nil), ProtocolHTTP)
	pod := checkoutPod(nil, "app")
	pod.Spec.Containers[0].Env = []corev1.EnvVar{value("OTEL_SERVICE_NAME", "mine")}
	Pod(pod, s, nil)
	Annotate(pod, StatusInjected, "obs/sink")
	once := pod.DeepCopy()
	Pod(pod, s, nil)
	Annotate(pod, StatusInjected, "obs/sink")
	if diff := cmp.Diff(once, pod); diff != "" {
		t.Errorf("second pass changed the pod (-first +second):\n%s", diff)
	}
}

func TestAnnotate(t *testing.T) {
	pod := checkoutPod(map[string]string{AnnotationBackend: "old/one"})
	Annotate(pod, Errored("no TelemetryBackend in namespace shop"), "")
	want := map[string]string{AnnotationStatus: "error: no TelemetryBackend in namespace shop"}
	if diff := cmp.Diff(want, pod.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestOnly(t *testing.T) {
	tb := func(name string) telemetryv1alpha1.TelemetryBackend {
		return telemetryv1alpha1.TelemetryBackend{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name}}
	}
	tests := []struct {
		name     string
		backends []telemetryv1alpha1.TelemetryBackend
		want     string
		wantErr  string
	}{
		{"none is an error", nil, "", "no TelemetryBackend in namespace shop"},
		{"one is picked", []telemetryv1alpha1.TelemetryBackend{tb("a")}, "a", ""},
		{"two are ambiguous", []telemetryv1alpha1.TelemetryBackend{tb("b"), tb("a")}, "",
			"2 TelemetryBackends in namespace shop (a, b): name one in telemetry.spark.dev/inject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Only("shop", tt.backends)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Fatalf("error = %q, want %q", gotErr, tt.wantErr)
			}
			if got != nil && got.Name != tt.want {
				t.Errorf("picked %q, want %q", got.Name, tt.want)
			}
		})
	}
}
