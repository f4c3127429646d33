//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// ackDemo is the demo workload that sends to the sqlite sink while its
	// pod is force-deleted.
	ackDemo = "demo-local-ack"
	// forceDeletions is how many times the sink is killed under load: more
	// than once, so that a sink started on a volume a killed one left
	// behind is killed too.
	forceDeletions = 2
)

// exportedTrace matches what the demo logs once its exporter was told that a
// trace's root span was accepted (test/e2e/demoapp/exported.go).
var exportedTrace = regexp.MustCompile(`demoapp: exported trace ([0-9a-f]{32})`)

// acknowledgedSurvivesForceDeletion force-deletes the sqlite sink's pod while
// a demo sends to it, then asks the sink for every trace the demo was told
// was accepted: with buffer.acknowledge "stored" (sqlite's default), an
// acknowledgement means committed, so none may be missing.
func acknowledgedSurvivesForceDeletion(t *testing.T) {
	demo(t, backendsNS, ackDemo, "local", []corev1.EnvVar{
		{Name: "DEMO_INTERVAL", Value: "100ms"},
		// A batch every 100ms instead of the backend's 1s, so that exports
		// follow each other closely and one is likely in flight at the kill.
		{Name: "OTEL_BSP_SCHEDULE_DELAY", Value: "100"},
	})
	waitExported(t, 20)
	for range forceDeletions {
		forceDeleteSink(t, "local")
		// Traces acknowledged after the replacement came up show that the
		// demo exports again.
		waitExported(t, len(waitExported(t, 0))+10)
	}
	n := checkExportedStored(t, "local")
	fmt.Printf("e2e: all %d traces the demo logged as exported found after %d force deletions of the sink pod\n",
		n, forceDeletions)
	stopDemo(t, ackDemo)
}

// checkExportedStored fails unless the sink holds every trace the demo logged
// as exported, and returns how many that was.
func checkExportedStored(t *testing.T, backend string) int {
	t.Helper()
	log := demoLog(t)
	failed := failedExports(log)
	t.Logf("the demo logged %d failed exports, not acknowledged so not checked: %s",
		len(failed), strings.Join(failed[:min(3, len(failed))], "; "))
	ids := exportedIDs(log)
	start := time.Now()
	missing := missingTraces(t, backend, ids)
	t.Logf("asked the sink for %d traces in %s", len(ids), time.Since(start).Round(100*time.Millisecond))
	if len(missing) > 0 {
		t.Fatalf("%d of the %d traces the demo logged as exported are not in the sink, such as %s",
			len(missing), len(ids), strings.Join(missing[:min(5, len(missing))], ", "))
	}
	return len(ids)
}

// failedExports returns the errors the SDK logged for span exports that
// failed.
func failedExports(log string) []string {
	var failed []string
	for _, l := range strings.Split(log, "\n") {
		if _, msg, ok := strings.Cut(l, "traces export: "); ok {
			failed = append(failed, msg)
		}
	}
	return failed
}

// forceDeleteSink deletes the backend's sink pod with a grace period of 0,
// the request `kubectl delete pod --grace-period=0 --force` sends, and waits
// until its replacement is Ready. The pod is gone from the API at once, so
// the replacement starts while the kubelet still stops the old container
// (SIGTERM, then SIGKILL after the kubelet's minimum of 2 seconds).
func forceDeleteSink(t *testing.T, backend string) {
	t.Helper()
	ctx := context.Background()
	old, err := podOf(ctx, sinkLabels(backend))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cluster.c.Delete(ctx, old, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	var p *corev1.Pod
	eventually(t, 3*time.Minute, "a Ready replacement of "+old.Name, func(ctx context.Context) (err error) {
		p, err = replacement(ctx, backend, old)
		return err
	})
	t.Logf("force-deleted %s; %s was Ready after %s", old.Name, p.Name, time.Since(start).Round(100*time.Millisecond))
}

// waitExported waits until the demo has logged at least n exported traces
// and returns their ids.
func waitExported(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	start := time.Now()
	eventually(t, 2*time.Minute, fmt.Sprintf("%s logged %d exported traces", ackDemo, n), func(ctx context.Context) error {
		log, err := readDemoLog(ctx)
		if ids = exportedIDs(log); err == nil && len(ids) < n {
			err = fmt.Errorf("%d so far", len(ids))
		}
		return err
	})
	t.Logf("%s logged %d exported traces, waited %s", ackDemo, len(ids), time.Since(start).Round(100*time.Millisecond))
	return ids
}

// demoLog is readDemoLog for a test that cannot go on without it.
func demoLog(t *testing.T) string {
	t.Helper()
	log, err := readDemoLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// readDemoLog reads the whole log of the demo's container. A restarted
// container would have taken the traces it logged with it, so it is an error.
func readDemoLog(ctx context.Context) (string, error) {
	p, err := podOf(ctx, demoLabels(ackDemo))
	if err != nil {
		return "", err
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.RestartCount > 0 {
			return "", fmt.Errorf("%s restarted %d times: the traces its earlier runs logged are unknown", p.Name, s.RestartCount)
		}
	}
	raw, err := cluster.cs.CoreV1().Pods(backendsNS).GetLogs(p.Name, &corev1.PodLogOptions{Container: "demoapp"}).DoRaw(ctx)
	return string(raw), err
}

// exportedIDs returns the trace ids the log says were exported, each once.
func exportedIDs(log string) []string {
	seen := map[string]bool{}
	var ids []string
	for _, m := range exportedTrace.FindAllStringSubmatch(log, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
	}
	return ids
}

// missingTraces asks the sink for each trace and returns those it answers
// 404 for. Any other error is retried: only the sink's answer counts.
func missingTraces(t *testing.T, backend string, ids []string) []string {
	t.Helper()
	var missing []string
	for _, id := range ids {
		eventually(t, 30*time.Second, "GET trace "+id+" from "+backend, func(ctx context.Context) error {
			var detail map[string]any
			err := query(ctx, backend, "/api/v1/traces/"+id, nil, &detail)
			if apierrors.IsNotFound(err) {
				missing = append(missing, id)
				return nil
			}
			return err
		})
	}
	return missing
}

// stopDemo deletes a demo workload, so that it loads the shared machine no
// longer than its scenario needs it.
func stopDemo(t *testing.T, name string) {
	t.Helper()
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: backendsNS, Name: name}}
	if err := cluster.c.Delete(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}
