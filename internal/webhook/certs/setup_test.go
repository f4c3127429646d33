package certs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

func newManager(t *testing.T) ctrl.Manager {
	t.Helper()
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme: clientgoscheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	return mgr
}

func TestSetupPreparesTheWebhookServerBeforeTheManagerStarts(t *testing.T) {
	o := setup(t, "setup")
	if err := Setup(context.Background(), newManager(t), o); err != nil {
		t.Fatal(err)
	}
	st := read(t, o)
	if !bytes.Equal(st.caBundle, st.secret.CABundle) || !bytes.Equal(st.cert, st.secret.Cert) {
		t.Error("Setup left the files or the caBundle behind the Secret")
	}
}

func TestSetupWithoutAWebhookConfigurationStillWritesTheFiles(t *testing.T) {
	o := Options{
		Namespace: testNamespace, SecretName: "no-config", ServiceName: "webhook-service",
		WebhookConfigName: "does-not-exist", CertDir: t.TempDir(),
	}
	if err := Setup(context.Background(), newManager(t), o); err != nil {
		t.Fatalf("Setup failed without a webhook configuration: %v", err)
	}
	if _, err := os.Stat(filepath.Join(o.CertDir, "tls.crt")); err != nil {
		t.Errorf("no certificate for the webhook server: %v", err)
	}
}
