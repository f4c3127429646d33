package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// waitCondition waits until the backend's condition has the status and
// reason, for the backend's current generation.
func waitCondition(t *testing.T, b *telemetryv1alpha1.TelemetryBackend, typ string, status metav1.ConditionStatus, reason string) *telemetryv1alpha1.TelemetryBackend {
	t.Helper()
	var got telemetryv1alpha1.TelemetryBackend
	eventually(t, fmt.Sprintf("%s=%s (%s)", typ, status, reason), func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(b), &got); err != nil {
			return err
		}
		c := meta.FindStatusCondition(got.Status.Conditions, typ)
		switch {
		case c == nil:
			return fmt.Errorf("no %s condition in %v", typ, got.Status.Conditions)
		case c.Status != status || c.Reason != reason:
			return fmt.Errorf("%s is %s (%s): %s", typ, c.Status, c.Reason, c.Message)
		case c.ObservedGeneration != got.Generation || got.Status.ObservedGeneration != got.Generation:
			return fmt.Errorf("status is for generation %d/%d, the spec is at %d", got.Status.ObservedGeneration, c.ObservedGeneration, got.Generation)
		}
		return nil
	})
	return &got
}

func podAnnotation(t *testing.T, b *telemetryv1alpha1.TelemetryBackend, key string) string {
	t.Helper()
	var d appsv1.Deployment
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: b.Namespace, Name: ResourceName(b)}, &d); err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Annotations[key]
}

// waitAnnotationChange waits until the pod template annotation differs from old.
func waitAnnotationChange(t *testing.T, b *telemetryv1alpha1.TelemetryBackend, key, old string) {
	t.Helper()
	eventually(t, key+" changes", func() error {
		if got := podAnnotation(t, b, key); got == old || got == "" {
			return fmt.Errorf("%s is still %q", key, got)
		}
		return nil
	})
}

func TestMissingSecretDegradesUntilItIsCreated(t *testing.T) {
	ns := newNamespace(t)
	for _, typ := range []telemetryv1alpha1.BackendType{telemetryv1alpha1.TypePostgreSQL, telemetryv1alpha1.TypeOTLP} {
		t.Run(string(typ), func(t *testing.T) {
			b := minimal(ns, "missing-"+string(typ), typ)
			create(t, b)
			got := waitCondition(t, b, telemetryv1alpha1.ConditionDegraded, metav1.ConditionTrue, telemetryv1alpha1.ReasonSecretNotFound)
			if msg := meta.FindStatusCondition(got.Status.Conditions, telemetryv1alpha1.ConditionDegraded).Message; !containsAll(msg, SecretNames(b)...) {
				t.Errorf("Degraded message %q does not name the Secret %v", msg, SecretNames(b))
			}
			waitCondition(t, b, telemetryv1alpha1.ConditionReady, metav1.ConditionFalse, telemetryv1alpha1.ReasonSecretNotFound)
			err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: ResourceName(b)}, &appsv1.Deployment{})
			if !apierrors.IsNotFound(err) {
				t.Fatalf("a Deployment exists while its Secret is missing (get: %v)", err)
			}

			create(t, secretsFor(b)[0])
			waitDeployment(t, b)
			waitCondition(t, b, telemetryv1alpha1.ConditionDegraded, metav1.ConditionFalse, telemetryv1alpha1.ReasonAsExpected)
			waitCondition(t, b, telemetryv1alpha1.ConditionProgressing, metav1.ConditionTrue, telemetryv1alpha1.ReasonRollingOut)
		})
	}
}

func TestMissingSecretKeyIsReported(t *testing.T) {
	ns := newNamespace(t)
	b := minimal(ns, "nokey", telemetryv1alpha1.TypePostgreSQL)
	create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: b.Name + "-db"},
		StringData: map[string]string{"connection": testPostgresURL},
	}, b)
	got := waitCondition(t, b, telemetryv1alpha1.ConditionDegraded, metav1.ConditionTrue, telemetryv1alpha1.ReasonSecretNotFound)
	if msg := meta.FindStatusCondition(got.Status.Conditions, telemetryv1alpha1.ConditionDegraded).Message; !containsAll(msg, `no key "url"`) {
		t.Errorf("Degraded message %q does not name the missing key", msg)
	}
	eventually(t, "a Warning Event SecretNotFound on the backend", func() error {
		var list eventsv1.EventList
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range list.Items {
			if e.Regarding.Name == b.Name && e.Reason == telemetryv1alpha1.ReasonSecretNotFound && e.Type == corev1.EventTypeWarning {
				return nil
			}
		}
		return fmt.Errorf("none among %d events", len(list.Items))
	})
}

func TestSpecChangeRollsTheConfigHashAndTracksGeneration(t *testing.T) {
	ns := newNamespace(t)
	b, _ := createWithSecrets(t, ns, telemetryv1alpha1.TypeMemory)
	before := podAnnotation(t, b, AnnotationConfigHash)
	if before == "" {
		t.Fatalf("no %s annotation on the pod template", AnnotationConfigHash)
	}
	got := waitCondition(t, b, telemetryv1alpha1.ConditionProgressing, metav1.ConditionTrue, telemetryv1alpha1.ReasonRollingOut)

	gen := got.Generation
	got.Spec.Sampling.Rate = "0.5"
	if err := k8s.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	waitAnnotationChange(t, b, AnnotationConfigHash, before)
	after := waitCondition(t, b, telemetryv1alpha1.ConditionProgressing, metav1.ConditionTrue, telemetryv1alpha1.ReasonRollingOut)
	if after.Generation != gen+1 || after.Status.ObservedGeneration != after.Generation {
		t.Errorf("generation %d, observedGeneration %d; want both %d", after.Generation, after.Status.ObservedGeneration, gen+1)
	}
}

func TestSecretChangeRollsTheSecretHash(t *testing.T) {
	ns := newNamespace(t)
	for _, typ := range []telemetryv1alpha1.BackendType{telemetryv1alpha1.TypePostgreSQL, telemetryv1alpha1.TypeOTLP} {
		t.Run(string(typ), func(t *testing.T) {
			b, _ := createWithSecrets(t, ns, typ)
			before := podAnnotation(t, b, AnnotationSecretHash)
			if before == "" {
				t.Fatalf("no %s annotation on the pod template", AnnotationSecretHash)
			}
			var s corev1.Secret
			if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: SecretNames(b)[0]}, &s); err != nil {
				t.Fatal(err)
			}
			s.StringData = map[string]string{"url": testPostgresURL + "&application_name=x", "x-honeycomb-dataset": "spark"}
			if err := k8s.Update(context.Background(), &s); err != nil {
				t.Fatal(err)
			}
			waitAnnotationChange(t, b, AnnotationSecretHash, before)
		})
	}
}

func TestReadyFollowsTheDeploymentsReadyReplicas(t *testing.T) {
	ns := newNamespace(t)
	b, d := createWithSecrets(t, ns, telemetryv1alpha1.TypeSQLite)
	waitCondition(t, b, telemetryv1alpha1.ConditionReady, metav1.ConditionFalse, telemetryv1alpha1.ReasonSinkUnavailable)

	// envtest runs no Deployment controller: play its part.
	setDeploymentStatus(t, d, 1)
	got := waitCondition(t, b, telemetryv1alpha1.ConditionReady, metav1.ConditionTrue, telemetryv1alpha1.ReasonAvailable)
	waitCondition(t, b, telemetryv1alpha1.ConditionProgressing, metav1.ConditionFalse, telemetryv1alpha1.ReasonRolledOut)
	if got.Status.ReadyReplicas != 1 {
		t.Errorf("readyReplicas = %d, want 1", got.Status.ReadyReplicas)
	}
	want := fmt.Sprintf("http://%s.%s.svc:4317", ResourceName(b), ns)
	if got.Status.Endpoints.OTLPGRPC != want {
		t.Errorf("endpoints.otlpGrpc = %q, want %q", got.Status.Endpoints.OTLPGRPC, want)
	}

	setDeploymentStatus(t, d, 0)
	got = waitCondition(t, b, telemetryv1alpha1.ConditionReady, metav1.ConditionFalse, telemetryv1alpha1.ReasonSinkUnavailable)
	if got.Status.ReadyReplicas != 0 {
		t.Errorf("readyReplicas = %d, want 0", got.Status.ReadyReplicas)
	}
}

// setDeploymentStatus reports one updated replica of the latest template,
// ready or not.
func setDeploymentStatus(t *testing.T, d *appsv1.Deployment, ready int32) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(d), d); err != nil {
		t.Fatal(err)
	}
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation, Replicas: 1, UpdatedReplicas: 1,
		ReadyReplicas: ready, AvailableReplicas: ready, UnavailableReplicas: 1 - ready,
	}
	if err := k8s.Status().Update(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
