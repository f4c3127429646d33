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

// podCreateRate is the steady rate of pod creations the API-server
// benchmarks drive, as a busy cluster's rollouts would.
const podCreateRate = 50 // per second

// benchmarkPodCreate creates pods through the real kube-apiserver at a
// steady rate and reports the client-observed CREATE latency percentiles.
// Opted-in pods pass through the webhook; pods labelled
// telemetry.spark.dev/inject=false are excluded by the webhook
// configuration's objectSelector, so they measure the API server alone.
func benchmarkPodCreate(b *testing.B, labels, annotations map[string]string, wantStatus string) {
	ns := newNamespace(b, nil)
	newBackend(b, ns, "sink", nil, statusEndpoints("sink.status"))
	ctx := context.Background()
	tick := time.NewTicker(time.Second / podCreateRate)
	defer tick.Stop()
	durations := make([]time.Duration, 0, b.N)
	for b.Loop() {
		<-tick.C
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "load-", Labels: labels, Annotations: annotations},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
		}
		start := time.Now()
		if err := k8s.Create(ctx, pod); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		if got := pod.Annotations[inject.AnnotationStatus]; got != wantStatus {
			b.Fatalf("pod %s: injection-status %q, want %q", pod.Name, got, wantStatus)
		}
	}
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-ms/create")
	b.ReportMetric(pct(0.99), "p99-ms/create")
}

// BenchmarkPodCreateInjected is a pod CREATE that the webhook injects.
func BenchmarkPodCreateInjected(b *testing.B) {
	benchmarkPodCreate(b, nil, map[string]string{inject.AnnotationInject: "sink"}, inject.StatusInjected)
}

// BenchmarkPodCreateWithoutWebhook is the same CREATE with the webhook
// skipped by its objectSelector: the API server's own share.
func BenchmarkPodCreateWithoutWebhook(b *testing.B) {
	benchmarkPodCreate(b, map[string]string{inject.AnnotationInject: "false"}, nil, "")
}
