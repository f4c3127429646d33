//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

const backendsNS = "e2e-backends"

// TestProduct runs the scenarios in order on one cluster: later ones use the
// backends and workloads the earlier ones made.
func TestProduct(t *testing.T) {
	t.Cleanup(func() {
		if t.Failed() {
			cluster.dump(context.Background())
		}
	})
	namespace(t, backendsNS)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"every sample backend type reaches Ready", samplesReachReady},
		{"an annotated workload is injected and its traces, events and metrics are queryable", injectedWorkloadIsQueryable},
		{"the otlp backend forwards into another sink where the data is queryable", otlpForwards},
		{"sqlite data survives deleting the sink pod", sqliteSurvivesPodDeletion},
		{"every trace the sqlite sink acknowledged survives force-deleting its pod", acknowledgedSurvivesForceDeletion},
		{"changing a backend's sampling rolls its sink", samplingChangeRollsSink},
		{"deleting a backend removes what it owned", deletionRemovesOwned},
		{"helm uninstall leaves only the kept CRD", helmUninstallLeavesOnlyKept},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.Fatalf("scenario %q failed; later scenarios depend on it", s.name)
		}
		fmt.Printf("e2e: scenario passed: %s\n", s.name)
	}
}

// samplesReachReady applies the samples one at a time and records how long
// each type takes from create to Ready (the postgresql one against an
// in-cluster PostgreSQL; the otlp one forwarding into the memory sink).
func samplesReachReady(t *testing.T) {
	ns := backendsNS
	postgres(t, ns)
	samples := []struct {
		name, file string
		edit       func(*telemetryv1alpha1.TelemetryBackend)
	}{
		{"dev", "telemetry_v1alpha1_telemetrybackend_memory.yaml", fastFlush},
		{"local", "telemetry_v1alpha1_telemetrybackend_sqlite.yaml", func(b *telemetryv1alpha1.TelemetryBackend) {
			fastFlush(b)
			b.Spec.SQLite.Storage.Size = ptr.To(resource.MustParse("1Gi"))
		}},
		{"prod", "telemetry_v1alpha1_telemetrybackend_postgresql.yaml", func(b *telemetryv1alpha1.TelemetryBackend) {
			fastFlush(b)
			b.Spec.Sampling.Rate = "1"
		}},
		{"tempo", "telemetry_v1alpha1_telemetrybackend_otlp.yaml", func(b *telemetryv1alpha1.TelemetryBackend) {
			fastFlush(b)
			b.Spec.Sampling.Rate = "1"
			b.Spec.OTLP.Endpoint = "http://dev-sink." + ns + ".svc:4317" // forward into the memory sink
		}},
	}
	report := make([]string, 0, len(samples))
	for _, s := range samples {
		start := time.Now()
		applySample(t, s.file, ns, s.edit)
		tb, took := waitReadySince(t, ns, s.name, 3*time.Minute, start)
		if want := "http://" + s.name + "-sink." + ns + ".svc:4317"; tb.Status.Endpoints.OTLPGRPC != want {
			t.Errorf("%s: status.endpoints.otlpGrpc = %q, want %q", s.name, tb.Status.Endpoints.OTLPGRPC, want)
		}
		report = append(report, fmt.Sprintf("%s %.1fs", tb.Spec.Type, took.Seconds()))
	}
	fmt.Printf("e2e: time from create to Ready: %s\n", strings.Join(report, ", "))
}

func fastFlush(b *telemetryv1alpha1.TelemetryBackend) {
	b.Spec.Buffer.ExportInterval = &metav1.Duration{Duration: time.Second}
}

func injectedWorkloadIsQueryable(t *testing.T) {
	for _, backend := range []string{"dev", "local", "prod"} {
		t.Run(backend, func(t *testing.T) {
			service := "demo-" + backend
			demo(t, backendsNS, service, backend, demoEnv)
			tb := &telemetryv1alpha1.TelemetryBackend{}
			if err := cluster.c.Get(context.Background(), client.ObjectKey{Namespace: backendsNS, Name: backend}, tb); err != nil {
				t.Fatal(err)
			}
			checkInjected(t, service, tb)
			checkQueryable(t, backend, service)
		})
	}
}

// checkInjected reads the demo pod back from the API server: the webhook
// must have set the sink's endpoint and recorded its outcome.
func checkInjected(t *testing.T, service string, tb *telemetryv1alpha1.TelemetryBackend) {
	t.Helper()
	var pod *corev1.Pod
	eventually(t, time.Minute, "demo pod created", func(ctx context.Context) (err error) {
		pod, err = podOf(ctx, map[string]string{"app.kubernetes.io/name": service})
		return err
	})
	if got := pod.Annotations["telemetry.spark.dev/injection-status"]; got != "injected" {
		t.Fatalf("pod %s: injection-status %q, want injected", pod.Name, got)
	}
	env := map[string]string{}
	for _, e := range pod.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	want := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": tb.Status.Endpoints.OTLPGRPC,
		"OTEL_SERVICE_NAME":           service,
		"OTEL_TRACES_SAMPLER":         "parentbased_traceidratio",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("pod %s: %s=%q, want %q", pod.Name, k, env[k], v)
		}
	}
}

// checkQueryable waits until the sink's query API shows the demo's traces
// (with their spans), its events of both kinds, and its metrics.
func checkQueryable(t *testing.T, backend, service string) {
	t.Helper()
	svc := map[string]string{"attr.service.name": service}
	eventually(t, 2*time.Minute, backend+": traces, events and metrics of "+service, func(ctx context.Context) error {
		traces, err := list(ctx, backend, "/api/v1/traces", merge(svc, map[string]string{"name": "checkout", "limit": "5"}))
		if err != nil || len(traces) == 0 {
			return fmt.Errorf("no checkout trace yet (%v)", err)
		}
		id := fmt.Sprint(traces[0]["traceId"])
		var detail map[string]any
		if err := query(ctx, backend, "/api/v1/traces/"+id, nil, &detail); err != nil {
			return err
		}
		if spans, _ := detail["spans"].([]any); len(spans) < 3 {
			return fmt.Errorf("trace %s has %d spans, want 3", id, len(spans))
		}
		for _, typ := range []string{"order", "audit"} {
			events, err := list(ctx, backend, "/api/v1/events", map[string]string{"type": typ, "limit": "1"})
			if err != nil || len(events) == 0 {
				return fmt.Errorf("no %s event yet (%v)", typ, err)
			}
		}
		metrics, err := list(ctx, backend, "/api/v1/metrics", merge(svc, map[string]string{"name": "demo.orders", "limit": "1"}))
		if err != nil || len(metrics) == 0 {
			return fmt.Errorf("no demo.orders metric yet (%v)", err)
		}
		return nil
	})
}

func otlpForwards(t *testing.T) {
	demo(t, backendsNS, "demo-tempo", "tempo", demoEnv)
	// The otlp sink stores nothing: the demo's data must arrive in the
	// memory sink it forwards to.
	checkQueryable(t, "dev", "demo-tempo")
	var out map[string]any
	err := query(context.Background(), "tempo", "/api/v1/traces", nil, &out)
	if err == nil || !strings.Contains(err.Error(), "export-only") {
		t.Errorf("querying the otlp sink: want an export-only error, got %v (%v)", err, out)
	}
}

func sqliteSurvivesPodDeletion(t *testing.T) {
	ctx := context.Background()
	before, err := list(ctx, "local", "/api/v1/traces", map[string]string{"limit": "1"})
	if err != nil || len(before) == 0 {
		t.Fatalf("no trace stored in sqlite before the restart: %v", err)
	}
	id := fmt.Sprint(before[0]["traceId"])
	old, err := podOf(ctx, sinkLabels("local"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.c.Delete(ctx, old); err != nil {
		t.Fatal(err)
	}
	// The old pod must be gone and a new one Ready before the trace is read,
	// so the answer can only come from the new pod reading the volume.
	eventually(t, 3*time.Minute, "a new sqlite sink pod serves trace "+id, func(ctx context.Context) error {
		if _, err := replacement(ctx, "local", old); err != nil {
			return err
		}
		var detail map[string]any
		return query(ctx, "local", "/api/v1/traces/"+id, nil, &detail)
	})
}

func samplingChangeRollsSink(t *testing.T) {
	ctx := context.Background()
	key := client.ObjectKey{Namespace: backendsNS, Name: "dev-sink"}
	before := &appsv1.Deployment{}
	if err := cluster.c.Get(ctx, key, before); err != nil {
		t.Fatal(err)
	}
	oldHash := before.Spec.Template.Annotations["telemetry.spark.dev/config-hash"]
	tb := &telemetryv1alpha1.TelemetryBackend{}
	if err := cluster.c.Get(ctx, client.ObjectKey{Namespace: backendsNS, Name: "dev"}, tb); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(tb.DeepCopy())
	tb.Spec.Sampling.Rate = "0.5"
	if err := cluster.c.Patch(ctx, tb, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Minute, "dev's sink rolled to the new configuration", func(ctx context.Context) error {
		d := &appsv1.Deployment{}
		if err := cluster.c.Get(ctx, key, d); err != nil {
			return err
		}
		hash := d.Spec.Template.Annotations["telemetry.spark.dev/config-hash"]
		if hash == oldHash || d.Status.UpdatedReplicas != 1 || d.Status.ReadyReplicas != 1 || d.Status.Replicas != 1 {
			return fmt.Errorf("hash %q (was %q), updated %d ready %d of %d", hash, oldHash,
				d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.Replicas)
		}
		return nil
	})
	waitReady(t, backendsNS, "dev", time.Minute)
}

func deletionRemovesOwned(t *testing.T) {
	ctx := context.Background()
	tb := &telemetryv1alpha1.TelemetryBackend{}
	tb.Namespace, tb.Name = backendsNS, "local"
	if err := cluster.c.Delete(ctx, tb); err != nil {
		t.Fatal(err)
	}
	owned := []client.Object{&appsv1.Deployment{}, &corev1.Service{}, &corev1.ConfigMap{}, &corev1.ServiceAccount{}}
	eventually(t, 2*time.Minute, "local's objects garbage-collected", func(ctx context.Context) error {
		for _, obj := range owned {
			err := cluster.c.Get(ctx, client.ObjectKey{Namespace: backendsNS, Name: "local-sink"}, obj)
			if !apierrors.IsNotFound(err) {
				return fmt.Errorf("%T local-sink still there (%v)", obj, err)
			}
		}
		err := cluster.c.Get(ctx, client.ObjectKey{Namespace: backendsNS, Name: "local-sink-data"}, &corev1.PersistentVolumeClaim{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("PVC local-sink-data still there (%v)", err)
		}
		return nil
	})
}
