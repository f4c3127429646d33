package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ctrl "sigs.k8s.io/controller-runtime"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// secretRefIndex indexes TelemetryBackends by the names of the Secrets they
// reference.
const secretRefIndex = ".spec.secretRefs"

func indexSecretRefs(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &telemetryv1alpha1.TelemetryBackend{}, secretRefIndex,
		func(o client.Object) []string {
			b, ok := o.(*telemetryv1alpha1.TelemetryBackend)
			if !ok {
				return nil
			}
			return SecretNames(b)
		})
}

// secretHandler maps a Secret to the backends in its namespace that
// reference it, so that creating a missing Secret unblocks them and changing
// one rolls their sinks.
func secretHandler(c client.Client) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, secret client.Object) []reconcile.Request {
		var list telemetryv1alpha1.TelemetryBackendList
		if err := c.List(ctx, &list, client.InNamespace(secret.GetNamespace()),
			client.MatchingFields{secretRefIndex: secret.GetName()}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list backends referencing Secret", "secret", secret.GetName())
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, b := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&b)})
		}
		return reqs
	})
}
