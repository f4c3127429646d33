//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// eventually polls fn every quarter second until it returns nil or the deadline
// passes, then fails the test with fn's last error.
func eventually(t *testing.T, timeout time.Duration, what string, fn func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var err error
	for {
		if err = fn(ctx); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not done within %s: %v", what, timeout, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// restricted makes the API server refuse any pod of a namespace that does
// not meet the "restricted" Pod Security Standard.
var restricted = map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}

// namespace creates a fresh namespace for the scenarios, enforcing the
// restricted Pod Security Standard, first deleting one left by an earlier
// run on a kept cluster; it is deleted afterwards unless the test failed (to
// leave it for inspection).
func namespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: restricted}}
	eventually(t, 3*time.Minute, "namespace "+name+" created afresh", func(ctx context.Context) error {
		err := cluster.c.Create(ctx, ns)
		if apierrors.IsAlreadyExists(err) {
			old := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
			_ = cluster.c.Delete(ctx, old)
			return fmt.Errorf("an earlier run's namespace %s is being deleted", name)
		}
		return err
	})
	t.Cleanup(func() {
		if !t.Failed() {
			_ = cluster.c.Delete(context.Background(), ns)
		}
	})
	return name
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := cluster.c.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// waitReady waits for the backend's Ready condition of its current
// generation, and returns the backend as the operator last reported it.
func waitReady(t *testing.T, ns, name string, timeout time.Duration) *telemetryv1alpha1.TelemetryBackend {
	t.Helper()
	tb, _ := waitReadySince(t, ns, name, timeout, time.Now())
	return tb
}

// waitReadySince waits like waitReady and returns how long after start the
// backend was seen Ready.
func waitReadySince(t *testing.T, ns, name string, timeout time.Duration, start time.Time) (*telemetryv1alpha1.TelemetryBackend, time.Duration) {
	t.Helper()
	tb := &telemetryv1alpha1.TelemetryBackend{}
	eventually(t, timeout, fmt.Sprintf("TelemetryBackend %s/%s Ready", ns, name), func(ctx context.Context) error {
		if err := cluster.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, tb); err != nil {
			return err
		}
		c := meta.FindStatusCondition(tb.Status.Conditions, telemetryv1alpha1.ConditionReady)
		switch {
		case c == nil:
			return fmt.Errorf("no Ready condition yet")
		case c.Status != metav1.ConditionTrue || c.ObservedGeneration != tb.Generation:
			return fmt.Errorf("Ready=%s (%s: %s) at generation %d of %d", c.Status, c.Reason, c.Message, c.ObservedGeneration, tb.Generation)
		}
		return nil
	})
	took := time.Since(start)
	t.Logf("%s/%s (%s) Ready after %s", ns, name, tb.Spec.Type, took.Round(100*time.Millisecond))
	return tb, took
}

// query calls a sink's query API through the API server's service proxy and
// decodes the JSON answer into out.
func query(ctx context.Context, backend, path string, params map[string]string, out any) error {
	raw, err := cluster.cs.CoreV1().Services(backendsNS).ProxyGet("http", backend+"-sink", "8080", path, params).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("GET %s: %w (%s)", path, err, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("GET %s: decoding %q: %w", path, raw, err)
	}
	return nil
}
