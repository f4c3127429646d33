package controllers

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// apply makes obj, owned by b, what the cluster holds, with server-side apply
// under the operator's one field owner. Ownership is forced: the operator is
// the only writer of these objects, and someone else's edit is drift to undo.
// On success obj holds the object the API server returned, status included.
func (r *TelemetryBackendReconciler) apply(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obj client.Object) error {
	if err := controllerutil.SetControllerReference(b, obj, r.Scheme); err != nil {
		return err
	}
	u, err := applyObject(obj)
	if err != nil {
		return err
	}
	kind := u.GetKind()
	if err := r.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return fmt.Errorf("apply %s %s: %w", kind, obj.GetName(), err)
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj)
}

// applyObject is the apply request for a built object: its JSON, where
// omitempty leaves out what the builder did not set, minus the fields a
// client must not own (status, creationTimestamp).
func applyObject(obj client.Object) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(data, &u.Object); err != nil {
		return nil, err
	}
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}
