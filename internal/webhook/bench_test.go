package webhook

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// benchmarkHandle measures Handle on one pod against the real manager cache
// of the envtest API server, and reports the per-pod latency percentiles
// next to ns/op.
func benchmarkHandle(b *testing.B, nsAnnotations, podAnnotations map[string]string) {
	ns := newNamespace(b, nsAnnotations)
	newBackend(b, ns, "sink", nil, statusEndpoints("sink.status"))
	yes := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, GenerateName: "checkout-7f9c-", Annotations: podAnnotations,
			Labels:          map[string]string{"pod-template-hash": "7f9c", "app": "checkout"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "checkout-7f9c", UID: "u", Controller: &yes}},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "app", Env: []corev1.EnvVar{{Name: "PORT", Value: "8080"}}},
			{Name: "proxy", Image: "proxy"},
		}},
	}
	req := admissionRequest(b, pod)
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		resp := injector.Handle(ctx, req)
		durations = append(durations, time.Since(start))
		if !resp.Allowed {
			b.Fatalf("pod denied: %v", resp.Result)
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(percentile(durations, 0.50))/float64(time.Microsecond), "p50-us/pod")
	b.ReportMetric(float64(percentile(durations, 0.99))/float64(time.Microsecond), "p99-us/pod")
}

// percentile is the p-quantile (0 to 1) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[int(p*float64(len(sorted)-1))]
}

func BenchmarkHandleInjectedPod(b *testing.B) {
	benchmarkHandle(b, nil, map[string]string{inject.AnnotationInject: "true"})
}

func BenchmarkHandleNamespaceOptIn(b *testing.B) {
	benchmarkHandle(b, map[string]string{inject.AnnotationInject: "true"}, nil)
}

// BenchmarkHandleNotOptedIn is the path every other pod of the cluster takes.
func BenchmarkHandleNotOptedIn(b *testing.B) {
	benchmarkHandle(b, nil, nil)
}
