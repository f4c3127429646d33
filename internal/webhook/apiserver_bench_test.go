package webhook

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"

	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
	"github.com/spark-dev/telemetry-operator/test/bench"
)

// podCreateRate is the steady rate of pod creations the API-server
// benchmarks drive, as a busy cluster's rollouts would.
const podCreateRate = 50 // per second

// benchmarkPodCreate creates pods through the real kube-apiserver at a
// steady rate and reports three views of their latency: the client's whole
// CREATE (p50/p99-ms/create), the webhook server's time per admission request
// (webhook-p50/p99-ms), and the API server's own histogram of its calls to
// the webhook (apiserver-webhook-*). A CREATE's p99 is dominated by etcd and
// the API server on a busy machine; the other two isolate the webhook.
// It also reports the machine's CPU steal during the run (cpu-steal-%): on
// a shared virtual machine, the same code's tail moves with it.
// Opted-in pods pass through the webhook; pods labelled
// telemetry.spark.dev/inject=false are excluded by the webhook
// configuration's objectSelector, so they measure the API server alone.
func benchmarkPodCreate(b *testing.B, labels, annotations map[string]string, wantStatus string) {
	ns := newNamespace(b, nil)
	newBackend(b, ns, "sink", nil, statusEndpoints("sink.status"))
	ctx := context.Background()
	before := apiserverWebhookLatency(b)
	webhookTimes.take()
	webhookSpans.log.take()
	tick := time.NewTicker(time.Second / podCreateRate)
	defer tick.Stop()
	durations := make([]time.Duration, 0, b.N)
	stat0, statErr := bench.ReadCPUStat()
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
	if stat1, err := bench.ReadCPUStat(); err == nil && statErr == nil {
		b.ReportMetric(100*stat1.StealSince(stat0), "cpu-steal-%")
	}
	served := webhookTimes.take()
	seen := apiserverWebhookLatency(b).sub(before)
	wantCalls := len(durations)
	if wantStatus == "" {
		wantCalls = 0
	}
	if len(served) != wantCalls || seen.count != uint64(wantCalls) {
		b.Fatalf("webhook served %d and the API server counted %d admission calls for %d pods, want %d",
			len(served), seen.count, len(durations), wantCalls)
	}
	traced, err := waitForSpans(wantCalls)
	if err != nil {
		b.Fatal(err)
	}
	reportPercentiles(b, durations, "p%d-ms/create")
	reportPercentiles(b, served, "webhook-p%d-ms")
	reportPercentiles(b, traced, "apiserver-trace-p%d-ms")
	seen.report(b, "apiserver-webhook-")
}

// reportPercentiles reports the p50 and p99 of durations in milliseconds
// under unit, a format taking the percentile; nothing when there are none.
func reportPercentiles(b *testing.B, durations []time.Duration, unit string) {
	if len(durations) == 0 {
		return
	}
	slices.Sort(durations)
	for _, p := range []int{50, 99} {
		b.ReportMetric(float64(percentile(durations, float64(p)/100))/float64(time.Millisecond), fmt.Sprintf(unit, p))
	}
}

// admissionMetric is the kube-apiserver's histogram of its calls to each
// admission webhook, timed from sending the AdmissionReview to decoding the
// answer (STABLE, k8s.io/apiserver/pkg/admission/metrics; labels name, type,
// operation, rejected). Its buckets are 5, 25, 100, 500 ms and up, so it
// bounds percentiles rather than measuring them.
const admissionMetric = "apiserver_admission_webhook_admission_duration_seconds"

// webhookName is the webhook's name in config/webhook/manifests.yaml, the
// name label of admissionMetric.
const webhookName = "inject.telemetry.spark.dev"

// latencyHistogram is a cumulative histogram: count calls, of which
// atMost[le] took at most le seconds.
type latencyHistogram struct {
	count  uint64
	atMost map[float64]uint64
}

// apiserverWebhookLatency reads admissionMetric for this webhook's pod
// CREATEs from the API server's /metrics, summed over the rejected label.
func apiserverWebhookLatency(b *testing.B) latencyHistogram {
	b.Helper()
	raw, err := discovery.NewDiscoveryClientForConfigOrDie(restConfig).RESTClient().
		Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		b.Fatal("kube-apiserver /metrics: ", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		b.Fatal("kube-apiserver /metrics: ", err)
	}
	h := latencyHistogram{atMost: map[float64]uint64{}}
	for _, m := range families[admissionMetric].GetMetric() {
		if !hasLabels(m, map[string]string{"name": webhookName, "type": "admit", "operation": "CREATE"}) {
			continue
		}
		h.count += m.GetHistogram().GetSampleCount()
		for _, bucket := range m.GetHistogram().GetBucket() {
			h.atMost[bucket.GetUpperBound()] += bucket.GetCumulativeCount()
		}
	}
	return h
}

// hasLabels reports whether m carries every label of want with its value.
func hasLabels(m *dto.Metric, want map[string]string) bool {
	matched := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			matched++
		}
	}
	return matched == len(want)
}

// sub is the histogram of the calls made since before.
func (h latencyHistogram) sub(before latencyHistogram) latencyHistogram {
	d := latencyHistogram{count: h.count - before.count, atMost: map[float64]uint64{}}
	for le, n := range h.atMost {
		d.atMost[le] = n - before.atMost[le]
	}
	return d
}

// report gives the number of calls, the percentage at or under each of the
// two lowest buckets, and for p50 and p99 the lowest bucket bound they are
// known to be under (+Inf if none).
func (h latencyHistogram) report(b *testing.B, prefix string) {
	b.ReportMetric(float64(h.count), prefix+"calls")
	if h.count == 0 {
		return
	}
	bounds := slices.Sorted(maps.Keys(h.atMost))
	ms := func(seconds float64) float64 { return math.Round(seconds*1e6) / 1e3 }
	for _, le := range bounds[:min(2, len(bounds))] {
		b.ReportMetric(100*float64(h.atMost[le])/float64(h.count), fmt.Sprintf("%sle%gms-%%", prefix, ms(le)))
	}
	for _, p := range []int{50, 99} {
		rank := uint64(math.Ceil(float64(p) / 100 * float64(h.count)))
		bound := math.Inf(1)
		for _, le := range bounds {
			if h.atMost[le] >= rank {
				bound = le
				break
			}
		}
		b.ReportMetric(ms(bound), fmt.Sprintf("%sp%d-le-ms", prefix, p))
	}
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
