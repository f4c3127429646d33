package controllers

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// deployment is a sink Deployment at generation 2 with the given status.
func deployment(replicas int32, s appsv1.DeploymentStatus) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Generation: 2},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
		Status:     s,
	}
}

func rolledOut(ready int32) appsv1.DeploymentStatus {
	return appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: ready}
}

func TestConditionsFollowTheObservation(t *testing.T) {
	stuck := rolledOut(0)
	stuck.Conditions = []appsv1.DeploymentCondition{{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
		Message: `ReplicaSet "prod-sink-1" has timed out progressing.`,
	}}
	tests := []struct {
		name string
		obs  observation
		// want is the status and reason of Ready, Progressing and Degraded.
		want []string
	}{
		{"missing secret, no Deployment", observation{secretErr: errors.New(`Secret "db" not found`)},
			[]string{"False/SecretNotFound", "False/SecretNotFound", "True/SecretNotFound"}},
		{"invalid configuration", observation{configErr: errors.New("buffer.maxQueue: too small")},
			[]string{"False/InvalidConfig", "False/InvalidConfig", "True/InvalidConfig"}},
		{"refused object", observation{applyErr: errors.New("apply Service: forbidden")},
			[]string{"False/ApplyFailed", "False/ApplyFailed", "True/ApplyFailed"}},
		{"missing secret, old sink still serving", observation{secretErr: errors.New("gone"), deployment: deployment(2, rolledOut(2))},
			[]string{"True/Available", "False/RolledOut", "True/SecretNotFound"}},
		{"new Deployment", observation{deployment: deployment(2, appsv1.DeploymentStatus{})},
			[]string{"False/SinkUnavailable", "True/RollingOut", "False/AsExpected"}},
		{"old pods still running", observation{deployment: deployment(2, appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 2, ReadyReplicas: 2})},
			[]string{"True/Available", "True/RollingOut", "False/AsExpected"}},
		{"all ready", observation{deployment: deployment(2, rolledOut(2))},
			[]string{"True/Available", "False/RolledOut", "False/AsExpected"}},
		{"one pod not ready", observation{deployment: deployment(2, rolledOut(1))},
			[]string{"False/SinkUnavailable", "False/RolledOut", "False/AsExpected"}},
		{"stuck rollout", observation{deployment: deployment(2, stuck)},
			[]string{"False/SinkUnavailable", "False/RolledOut", "True/SinkUnavailable"}},
		{"scaled to zero", observation{deployment: deployment(0, appsv1.DeploymentStatus{ObservedGeneration: 2})},
			[]string{"False/ScaledToZero", "False/RolledOut", "False/AsExpected"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &telemetryv1alpha1.TelemetryBackend{ObjectMeta: metav1.ObjectMeta{Name: "prod", Namespace: "ns", Generation: 7}}
			setStatus(b, &tc.obs)
			var got []string
			for _, typ := range []string{telemetryv1alpha1.ConditionReady, telemetryv1alpha1.ConditionProgressing, telemetryv1alpha1.ConditionDegraded} {
				for _, c := range b.Status.Conditions {
					if c.Type != typ {
						continue
					}
					got = append(got, string(c.Status)+"/"+c.Reason)
					if c.ObservedGeneration != 7 || c.Message == "" {
						t.Errorf("%s: observedGeneration %d, message %q", typ, c.ObservedGeneration, c.Message)
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Ready, Progressing, Degraded (-want +got):\n%s", diff)
			}
			if b.Status.ObservedGeneration != 7 {
				t.Errorf("observedGeneration %d, want 7", b.Status.ObservedGeneration)
			}
		})
	}
}
