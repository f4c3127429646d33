package controllers

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// patchStatus writes the status computed from the observation, once, and
// only when it changed. The optimistic lock refuses a status computed from a
// stale copy of the backend; the reconcile is then retried on the fresh one.
func (r *TelemetryBackendReconciler) patchStatus(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	orig := b.DeepCopy()
	setStatus(b, obs)
	if equality.Semantic.DeepEqual(orig.Status, b.Status) {
		return nil
	}
	err := r.Status().Patch(ctx, b, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsConflict(err) {
		// The backend changed since it was read; its watch event brings the
		// reconcile that writes the status of the newer version.
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch status: %w", err)
	}
	r.recordTransitions(orig, b)
	return nil
}

// recordTransitions emits an Event when the backend becomes Degraded (or
// degrades for another reason) and when it becomes Ready.
func (r *TelemetryBackendReconciler) recordTransitions(before, after *telemetryv1alpha1.TelemetryBackend) {
	if r.Recorder == nil {
		return
	}
	changed := func(t string) *metav1.Condition {
		now, old := meta.FindStatusCondition(after.Status.Conditions, t), meta.FindStatusCondition(before.Status.Conditions, t)
		if now == nil || now.Status != metav1.ConditionTrue || (old != nil && old.Status == now.Status && old.Reason == now.Reason) {
			return nil
		}
		return now
	}
	if c := changed(telemetryv1alpha1.ConditionDegraded); c != nil {
		r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, c.Reason, "Reconcile", "%s", c.Message)
	}
	if c := changed(telemetryv1alpha1.ConditionReady); c != nil {
		r.Recorder.Eventf(after, nil, corev1.EventTypeNormal, c.Reason, "Reconcile", "%s", c.Message)
	}
}

// setStatus derives the status from what the reconcile observed, never from
// what it hopes: Ready comes from the Deployment's ready replicas.
func setStatus(b *telemetryv1alpha1.TelemetryBackend, obs *observation) {
	st := &b.Status
	st.ObservedGeneration = b.Generation
	st.Endpoints = Endpoints(b)
	st.ReadyReplicas = 0
	if obs.deployment != nil {
		st.ReadyReplicas = obs.deployment.Status.ReadyReplicas
	}
	for _, c := range []metav1.Condition{readyCondition(obs), progressingCondition(obs), degradedCondition(obs)} {
		c.ObservedGeneration = b.Generation
		meta.SetStatusCondition(&st.Conditions, c)
	}
}

// blocker is the problem that keeps the Deployment from being applied, as a
// reason and a message; empty when there is none.
func blocker(obs *observation) (string, string) {
	switch {
	case obs.secretErr != nil:
		return telemetryv1alpha1.ReasonSecretNotFound, obs.secretErr.Error()
	case obs.configErr != nil:
		return telemetryv1alpha1.ReasonInvalidConfig, "the sink would refuse this spec: " + obs.configErr.Error()
	case obs.applyErr != nil:
		return telemetryv1alpha1.ReasonApplyFailed, obs.applyErr.Error()
	}
	return "", ""
}

func degradedCondition(obs *observation) metav1.Condition {
	if reason, msg := blocker(obs); reason != "" {
		return condition(telemetryv1alpha1.ConditionDegraded, true, reason, msg)
	}
	if c := deploymentCondition(obs.deployment, appsv1.DeploymentProgressing); c != nil &&
		c.Status == corev1.ConditionFalse {
		return condition(telemetryv1alpha1.ConditionDegraded, true, telemetryv1alpha1.ReasonSinkUnavailable,
			fmt.Sprintf("the sink Deployment is stuck: %s", c.Message))
	}
	return condition(telemetryv1alpha1.ConditionDegraded, false, telemetryv1alpha1.ReasonAsExpected, "no problem found")
}

func progressingCondition(obs *observation) metav1.Condition {
	d := obs.deployment
	reason, msg := blocker(obs)
	switch {
	case d == nil && reason != "":
		return condition(telemetryv1alpha1.ConditionProgressing, false, reason, "blocked: "+msg)
	case d == nil:
		return condition(telemetryv1alpha1.ConditionProgressing, true, telemetryv1alpha1.ReasonRollingOut, "creating the sink Deployment")
	case rollingOut(d):
		return condition(telemetryv1alpha1.ConditionProgressing, true, telemetryv1alpha1.ReasonRollingOut,
			fmt.Sprintf("%d of %d sink pods run the latest configuration", d.Status.UpdatedReplicas, desired(d)))
	}
	return condition(telemetryv1alpha1.ConditionProgressing, false, telemetryv1alpha1.ReasonRolledOut, "the sink runs the latest configuration")
}

func readyCondition(obs *observation) metav1.Condition {
	d := obs.deployment
	if d == nil {
		reason, msg := blocker(obs)
		if reason == "" {
			reason, msg = telemetryv1alpha1.ReasonSinkUnavailable, "the sink Deployment does not exist yet"
		}
		return condition(telemetryv1alpha1.ConditionReady, false, reason, msg)
	}
	want, ready := desired(d), d.Status.ReadyReplicas
	switch {
	case want == 0:
		return condition(telemetryv1alpha1.ConditionReady, false, telemetryv1alpha1.ReasonScaledToZero, "spec.sink.replicas is 0")
	case ready < want:
		return condition(telemetryv1alpha1.ConditionReady, false, telemetryv1alpha1.ReasonSinkUnavailable,
			fmt.Sprintf("%d of %d sink pods ready", ready, want))
	}
	return condition(telemetryv1alpha1.ConditionReady, true, telemetryv1alpha1.ReasonAvailable,
		fmt.Sprintf("%d of %d sink pods ready", ready, want))
}

// rollingOut reports whether the Deployment has yet to run the latest pod
// template on every desired replica, with no old pod left.
func rollingOut(d *appsv1.Deployment) bool {
	s := d.Status
	return s.ObservedGeneration < d.Generation || s.UpdatedReplicas < desired(d) || s.Replicas > s.UpdatedReplicas
}

func desired(d *appsv1.Deployment) int32 { return ptr.Deref(d.Spec.Replicas, 1) }

func deploymentCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	if d == nil {
		return nil
	}
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

func condition(t string, status bool, reason, msg string) metav1.Condition {
	s := metav1.ConditionFalse
	if status {
		s = metav1.ConditionTrue
	}
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: truncate(msg)}
}

// truncate keeps a message within metav1.Condition's 32768-byte limit.
func truncate(msg string) string {
	const limit = 32768
	if len(msg) <= limit {
		return msg
	}
	return msg[:limit-3] + "..."
}
