package certs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// Its permissions (the Secret in its own namespace, its own webhook
// configuration by name) are in config/webhook/rbac.yaml rather than in
// +kubebuilder:rbac markers, which would grant them cluster-wide.

// Options say where the certificate lives and whom it serves.
type Options struct {
	// Namespace holds the Secret and the webhook Service.
	Namespace string
	// SecretName is the Secret the replicas share the certificate through.
	SecretName string
	// ServiceName is the webhook Service; its DNS names go into the SANs.
	ServiceName string
	// WebhookConfigName is the MutatingWebhookConfiguration whose caBundle
	// follows the CA.
	WebhookConfigName string
	// CertDir is where the webhook server reads tls.crt and tls.key.
	CertDir string
	// CAValidity and Validity are the CA and serving lifetimes (defaults 10
	// years and 1 year); each is renewed with a third of it left.
	CAValidity time.Duration
	Validity   time.Duration
	// CheckInterval is how often Start re-checks expiry and the caBundle
	// (default 10 minutes), which also repairs a caBundle that an upgrade
	// of the webhook configuration wiped.
	CheckInterval time.Duration
	// Now is the clock; tests move it.
	Now func() time.Time
}

// Manager keeps the certificate Secret, the files and the caBundle in step.
type Manager struct {
	c    client.Client
	opts Options
}

// New returns a Manager using c, which must read the API server directly
// (not through a cache) because it runs before the manager's caches start.
func New(c client.Client, opts Options) *Manager {
	if opts.CAValidity == 0 {
		opts.CAValidity = 10 * 365 * 24 * time.Hour
	}
	if opts.Validity == 0 {
		opts.Validity = 365 * 24 * time.Hour
	}
	if opts.CheckInterval == 0 {
		opts.CheckInterval = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Manager{c: c, opts: opts}
}

// Ensure makes the Secret hold a valid certificate, writes it to CertDir and
// puts the CA bundle into the webhook configuration.
func (m *Manager) Ensure(ctx context.Context) error {
	b, err := m.ensureFiles(ctx)
	if err != nil {
		return err
	}
	if err := m.patchCABundle(ctx, b.CABundle); err != nil {
		return fmt.Errorf("patching caBundle of %s: %w", m.opts.WebhookConfigName, err)
	}
	return nil
}

// ensureFiles is Ensure without the caBundle: what the webhook server needs
// to start.
func (m *Manager) ensureFiles(ctx context.Context) (*Bundle, error) {
	b, err := m.ensureSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook certificate secret: %w", err)
	}
	if err := writeFiles(m.opts.CertDir, b); err != nil {
		return nil, fmt.Errorf("writing webhook certificate: %w", err)
	}
	return b, nil
}

// ensureSecret creates the Secret or renews its content. Create and Update
// are optimistic (AlreadyExists, Conflict): when replicas race, the first
// write wins and the others read it back and find it valid.
func (m *Manager) ensureSecret(ctx context.Context) (*Bundle, error) {
	names := DNSNames(m.opts.ServiceName, m.opts.Namespace)
	l := lifetimes{ca: m.opts.CAValidity, serving: m.opts.Validity}
	for range 5 {
		var s corev1.Secret
		err := m.c.Get(ctx, client.ObjectKey{Namespace: m.opts.Namespace, Name: m.opts.SecretName}, &s)
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, err
		}
		cur := bundleFromData(s.Data)
		b, changed, err := plan(cur, names, m.opts.Now(), l)
		if err != nil || !changed {
			return b, err
		}
		err = m.write(ctx, &s, b)
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
			continue
		}
		return b, err
	}
	return nil, errors.New("gave up after repeated write conflicts")
}

// write stores b in s, creating s when it has no resourceVersion yet.
func (m *Manager) write(ctx context.Context, s *corev1.Secret, b *Bundle) error {
	s.Data = b.data()
	if s.ResourceVersion != "" {
		return m.c.Update(ctx, s)
	}
	s.ObjectMeta = metav1.ObjectMeta{
		Namespace:       m.opts.Namespace,
		Name:            m.opts.SecretName,
		Labels:          map[string]string{"app.kubernetes.io/managed-by": "telemetry-operator"},
		OwnerReferences: m.ownedByWebhookConfig(ctx),
	}
	s.Type = corev1.SecretTypeTLS
	return m.c.Create(ctx, s)
}

// ownedByWebhookConfig makes the Secret a dependent of the webhook
// configuration, so that uninstalling the operator (which deletes the
// configuration) garbage-collects the Secret the operator made on its own.
// Without the configuration the Secret has no owner and simply stays.
func (m *Manager) ownedByWebhookConfig(ctx context.Context) []metav1.OwnerReference {
	var cfg admissionregistrationv1.MutatingWebhookConfiguration
	if err := m.c.Get(ctx, client.ObjectKey{Name: m.opts.WebhookConfigName}, &cfg); err != nil {
		return nil
	}
	return []metav1.OwnerReference{{
		APIVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration",
		Name: cfg.Name, UID: cfg.UID,
	}}
}

// patchCABundle sets caBundle on every webhook of the configuration. A
// missing configuration is not an error: it may be created later (or the
// manager runs outside the cluster), and the periodic check patches it then.
func (m *Manager) patchCABundle(ctx context.Context, bundle []byte) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cfg admissionregistrationv1.MutatingWebhookConfiguration
		if err := m.c.Get(ctx, client.ObjectKey{Name: m.opts.WebhookConfigName}, &cfg); err != nil {
			if apierrors.IsNotFound(err) {
				log.FromContext(ctx).Info("webhook configuration not found; caBundle not patched", "name", m.opts.WebhookConfigName)
				return nil
			}
			return err
		}
		changed := false
		for i := range cfg.Webhooks {
			if !bytes.Equal(cfg.Webhooks[i].ClientConfig.CABundle, bundle) {
				cfg.Webhooks[i].ClientConfig.CABundle = bundle
				changed = true
			}
		}
		if !changed {
			return nil
		}
		return m.c.Update(ctx, &cfg)
	})
}

// writeFiles replaces tls.crt and tls.key in dir when their content changed.
// Each file is renamed into place, so the webhook server's certificate
// watcher never reads a half-written file.
func writeFiles(dir string, b *Bundle) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []struct {
		name    string
		content []byte
	}{{keyKey, b.Key}, {keyCert, b.Cert}} {
		path, content := filepath.Join(dir, f.name), f.content
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
			continue
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, content, 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}

// Setup makes sure the certificate files exist before the webhook server
// starts (it fails without them) and adds the periodic check to mgr. A
// caBundle that cannot be patched yet (configuration not created, or
// permission missing) is logged and retried by the periodic check rather
// than stopping the manager, whose reconciler does not depend on it.
func Setup(ctx context.Context, mgr manager.Manager, opts Options) error {
	c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return err
	}
	m := New(c, opts)
	b, err := m.ensureFiles(ctx)
	if err != nil {
		return err
	}
	if err := m.patchCABundle(ctx, b.CABundle); err != nil {
		log.FromContext(ctx).Error(err, "webhook caBundle not patched; retrying every check interval",
			"configuration", opts.WebhookConfigName)
	}
	return mgr.Add(m)
}

// Start re-runs Ensure every CheckInterval until ctx ends. Errors are logged,
// not returned: the current certificate stays valid for months, and
// stopping the manager over a transient API error would do more harm.
func (m *Manager) Start(ctx context.Context) error {
	logger := log.FromContext(ctx).WithName("webhook-certs")
	t := time.NewTicker(m.opts.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := m.Ensure(ctx); err != nil {
				logger.Error(err, "webhook certificate check failed")
			}
		}
	}
}

// NeedLeaderElection is false: every replica serves the webhook and needs
// the certificate files on its own disk.
func (m *Manager) NeedLeaderElection() bool { return false }
