package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	podwebhook "github.com/spark-dev/telemetry-operator/internal/webhook"
	"github.com/spark-dev/telemetry-operator/internal/webhook/certs"
)

// WEBHOOK: this file is the pod-injection webhook's place in the manager.
// Its flags and its registration (internal/webhook, with its certificate
// management) live here, so that main.go and options.go stay the same when
// the webhook changes.

// Certificate modes of --webhook-cert-mode.
const (
	certModeSelf        = "self"
	certModeCertManager = "cert-manager"
)

// webhookOptions are the webhook's flags.
type webhookOptions struct {
	enabled       bool
	port          int
	certDir       string
	certMode      string
	namespace     string
	serviceName   string
	secretName    string
	configName    string
	checkInterval time.Duration
}

func (w *webhookOptions) bindFlags(fs *flag.FlagSet) {
	fs.BoolVar(&w.enabled, "enable-webhook", true, "Serve the pod-injection webhook.")
	fs.IntVar(&w.port, "webhook-port", webhook.DefaultPort, "Port of the webhook server.")
	fs.StringVar(&w.certDir, "webhook-cert-dir", filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs"),
		"Directory of the webhook serving certificate (tls.crt, tls.key).")
	fs.StringVar(&w.certMode, "webhook-cert-mode", certModeSelf,
		"Who provides the webhook certificate: self (the operator makes, stores, rotates it and patches the caBundle) "+
			"or cert-manager (mounted into --webhook-cert-dir, caBundle injected by cert-manager).")
	fs.StringVar(&w.namespace, "webhook-namespace", ownNamespace(),
		"Namespace of the webhook Service and certificate Secret; defaults to $POD_NAMESPACE or the service account's.")
	fs.StringVar(&w.serviceName, "webhook-service-name", "telemetry-operator-webhook-service", "Name of the webhook Service.")
	fs.StringVar(&w.secretName, "webhook-secret-name", "telemetry-operator-webhook-server-cert",
		"Secret the replicas share the self-managed certificate through.")
	fs.StringVar(&w.configName, "webhook-configuration-name", "telemetry-operator-mutating-webhook-configuration",
		"MutatingWebhookConfiguration whose caBundle the operator keeps up to date.")
	fs.DurationVar(&w.checkInterval, "webhook-cert-check-interval", 10*time.Minute,
		"How often the self-managed certificate and caBundle are checked.")
}

// setupWebhooks provides the certificate (in self mode) and registers the
// pod-injection webhook with the manager's webhook server.
func setupWebhooks(mgr ctrl.Manager, w *webhookOptions) error {
	if !w.enabled {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch w.certMode {
	case certModeSelf:
		if err := certs.Setup(ctx, mgr, certs.Options{
			Namespace: w.namespace, SecretName: w.secretName, ServiceName: w.serviceName,
			WebhookConfigName: w.configName, CertDir: w.certDir, CheckInterval: w.checkInterval,
		}); err != nil {
			return fmt.Errorf("webhook certificate: %w", err)
		}
	case certModeCertManager:
	default:
		return fmt.Errorf("--webhook-cert-mode=%q: want %s or %s", w.certMode, certModeSelf, certModeCertManager)
	}
	if err := podwebhook.Setup(ctx, mgr); err != nil {
		return err
	}
	// A replica is ready only once it serves TLS, so the webhook Service
	// never sends the API server to one that would time out.
	return mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker())
}

// ownNamespace is $POD_NAMESPACE, else the in-cluster service account's
// namespace, else the namespace config/default installs into.
func ownNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return "telemetry-operator-system"
}
