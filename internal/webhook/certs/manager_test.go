package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const testNamespace = "webhook-system"

var (
	// k8s talks to the envtest API server that every test of the package shares.
	k8s client.Client
	// restConfig reaches the same API server, for managers.
	restConfig *rest.Config
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set: run `make test`, or set it to the output of hack/envtest.sh")
		return 1
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	restConfig = cfg
	defer func() { _ = env.Stop() }()
	if k8s, err = client.New(cfg, client.Options{Scheme: clientgoscheme.Scheme}); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		fmt.Fprintln(os.Stderr, "namespace:", err)
		return 1
	}
	return m.Run()
}

// setup creates a webhook configuration named after the test and returns
// options for a manager of it.
func setup(t *testing.T, name string) Options {
	t.Helper()
	none := admissionregistrationv1.SideEffectClassNone
	ignore := admissionregistrationv1.Ignore
	cfg := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    "inject.telemetry.spark.dev",
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			FailurePolicy:           &ignore,
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Namespace: testNamespace, Name: "webhook-service",
			}},
			// Matches nothing, so this configuration never calls anyone.
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"never": "matches"}},
		}},
	}
	if err := k8s.Create(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	// envtest runs no garbage collector, so each test removes what it made
	// and the tests can run again in the same API server (-count).
	t.Cleanup(func() {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: name}}
		_ = k8s.Delete(context.Background(), secret)
		_ = k8s.Delete(context.Background(), cfg)
	})
	return Options{
		Namespace: testNamespace, SecretName: name, ServiceName: "webhook-service",
		WebhookConfigName: name, CertDir: t.TempDir(),
	}
}

// state is what the cluster and the disk hold after Ensure.
type state struct {
	secret   *Bundle
	caBundle []byte
	cert     []byte
	key      []byte
}

func read(t *testing.T, o Options) state {
	t.Helper()
	ctx := context.Background()
	var s corev1.Secret
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: o.Namespace, Name: o.SecretName}, &s); err != nil {
		t.Fatal(err)
	}
	var cfg admissionregistrationv1.MutatingWebhookConfiguration
	if err := k8s.Get(ctx, client.ObjectKey{Name: o.WebhookConfigName}, &cfg); err != nil {
		t.Fatal(err)
	}
	cert, err := os.ReadFile(filepath.Join(o.CertDir, "tls.crt"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(o.CertDir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	return state{secret: bundleFromData(s.Data), caBundle: cfg.Webhooks[0].ClientConfig.CABundle, cert: cert, key: key}
}

// handshake serves the files over TLS and connects as the API server
// would: trusting only the caBundle and checking the Service's DNS name.
func handshake(t *testing.T, st state, serverName string) error {
	t.Helper()
	pair, err := tls.X509KeyPair(st.cert, st.key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		if conn, err := ln.Accept(); err == nil {
			_ = conn.(*tls.Conn).Handshake()
			_ = conn.Close()
		}
	}()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(st.caBundle) {
		t.Fatal("caBundle holds no certificate")
	}
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: serverName})
	if err != nil {
		return err
	}
	return conn.Close()
}

func TestFreshInstallGetsAWorkingChain(t *testing.T) {
	o := setup(t, "fresh")
	if err := New(k8s, o).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := read(t, o)
	if !bytes.Equal(st.cert, st.secret.Cert) || !bytes.Equal(st.key, st.secret.Key) {
		t.Error("files differ from the Secret")
	}
	if !bytes.Equal(st.caBundle, st.secret.CABundle) {
		t.Error("caBundle of the webhook configuration differs from the Secret's")
	}
	leaf, err := parseCert(st.cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(st.caBundle)
	for _, name := range []string{"webhook-service.webhook-system.svc", "webhook-service.webhook-system.svc.cluster.local"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}
	if err := handshake(t, st, "webhook-service.webhook-system.svc"); err != nil {
		t.Errorf("TLS handshake: %v", err)
	}
	if err := handshake(t, st, "other.webhook-system.svc"); err == nil {
		t.Error("TLS handshake for a name outside the SANs succeeded")
	}
}

func TestSecondEnsureKeepsTheCertificate(t *testing.T) {
	o := setup(t, "steady")
	m := New(k8s, o)
	if err := m.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := read(t, o)
	if err := m.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	if second := read(t, o); !bytes.Equal(first.cert, second.cert) || !bytes.Equal(first.caBundle, second.caBundle) {
		t.Error("a valid certificate was replaced")
	}
}

func TestExpiringCertificateIsReplaced(t *testing.T) {
	o := setup(t, "expiring")
	past := o
	past.Now = func() time.Time { return time.Now().Add(-300 * 24 * time.Hour) }
	if err := New(k8s, past).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := read(t, o)
	if err := New(k8s, o).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := read(t, o)
	oldLeaf, _ := parseCert(old.cert)
	newLeaf, err := parseCert(st.cert)
	if err != nil {
		t.Fatal(err)
	}
	if !newLeaf.NotAfter.After(oldLeaf.NotAfter.Add(200 * 24 * time.Hour)) {
		t.Errorf("serving certificate not renewed: old expires %v, new %v", oldLeaf.NotAfter, newLeaf.NotAfter)
	}
	if !bytes.Equal(st.secret.CACert, old.secret.CACert) {
		t.Error("a CA with years left was replaced")
	}
	if !bytes.Equal(st.cert, st.secret.Cert) {
		t.Error("files do not follow the renewed Secret")
	}
	if err := handshake(t, st, "webhook-service.webhook-system.svc"); err != nil {
		t.Errorf("TLS handshake after renewal: %v", err)
	}
}

func TestCARotationUpdatesTheCABundle(t *testing.T) {
	o := setup(t, "ca-rotation")
	o.CAValidity = 400 * 24 * time.Hour
	past := o
	past.Now = func() time.Time { return time.Now().Add(-300 * 24 * time.Hour) }
	if err := New(k8s, past).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := read(t, o)
	if err := New(k8s, o).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := read(t, o)
	if bytes.Equal(st.secret.CACert, old.secret.CACert) {
		t.Fatal("CA with under a third of its life left was kept")
	}
	want := append(bytes.Clone(st.secret.CACert), old.secret.CACert...)
	if !bytes.Equal(st.caBundle, want) {
		t.Errorf("caBundle of the webhook configuration is not new CA + old CA:\n%s", st.caBundle)
	}
	if err := handshake(t, st, "webhook-service.webhook-system.svc"); err != nil {
		t.Errorf("TLS handshake after CA rotation: %v", err)
	}
}

func TestRacingManagersAgreeOnOneCertificate(t *testing.T) {
	o := setup(t, "race")
	const replicas = 4
	opts := make([]Options, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		opts[i] = o
		opts[i].CertDir = t.TempDir()
		wg.Go(func() { errs[i] = New(k8s, opts[i]).Ensure(context.Background()) })
	}
	wg.Wait()
	if errs[0] != nil {
		t.Fatalf("replica 0: %v", errs[0])
	}
	want := read(t, opts[0]).secret.Cert
	for i := range replicas {
		if errs[i] != nil {
			t.Errorf("replica %d: %v", i, errs[i])
			continue
		}
		if got := read(t, opts[i]).cert; !bytes.Equal(got, want) {
			t.Errorf("replica %d serves a certificate other than the Secret's", i)
		}
	}
}
