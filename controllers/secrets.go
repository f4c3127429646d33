package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// defaultSecretKey matches the API's default for connectionSecretRef.key.
const defaultSecretKey = "url"

// secretUse is one Secret a backend needs: one key of it, or, when key is
// empty, all of it.
type secretUse struct {
	name, key string
}

// secretUses lists the Secrets a backend references, in a fixed order.
func secretUses(b *telemetryv1alpha1.TelemetryBackend) []secretUse {
	var uses []secretUse
	if pg := b.Spec.PostgreSQL; pg != nil {
		uses = append(uses, secretUse{name: pg.ConnectionSecretRef.Name, key: secretKey(pg.ConnectionSecretRef)})
	}
	if o := b.Spec.OTLP; o != nil && o.HeadersSecretRef != nil {
		uses = append(uses, secretUse{name: o.HeadersSecretRef.Name})
	}
	return uses
}

// SecretNames are the names of the Secrets a backend references, the values
// of the field index that maps a Secret to its backends.
func SecretNames(b *telemetryv1alpha1.TelemetryBackend) []string {
	uses := secretUses(b)
	names := make([]string, 0, len(uses))
	for _, u := range uses {
		names = append(names, u.name)
	}
	return names
}

func secretKey(ref telemetryv1alpha1.SecretKeyRef) string {
	if ref.Key == "" {
		return defaultSecretKey
	}
	return ref.Key
}

// errSecretMissing says which referenced Secret or key is missing.
type errSecretMissing struct{ msg string }

func (e *errSecretMissing) Error() string { return e.msg }

// resolveSecrets reads the referenced Secrets and hashes the data the sink
// uses, so that a change to it rolls the pods. A missing Secret or key is an
// *errSecretMissing naming it.
func resolveSecrets(ctx context.Context, r client.Reader, b *telemetryv1alpha1.TelemetryBackend) (string, error) {
	uses := secretUses(b)
	if len(uses) == 0 {
		return "", nil
	}
	h := sha256.New()
	for _, u := range uses {
		var s corev1.Secret
		err := r.Get(ctx, types.NamespacedName{Namespace: b.Namespace, Name: u.name}, &s)
		if apierrors.IsNotFound(err) {
			return "", &errSecretMissing{msg: fmt.Sprintf("Secret %q not found in namespace %q; create it or fix the reference", u.name, b.Namespace)}
		}
		if err != nil {
			return "", fmt.Errorf("read Secret %q: %w", u.name, err)
		}
		if err := hashSecret(h, &s, u.key); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// hashSecret writes the used data of a Secret, each part length-prefixed
// so that no two different contents hash alike.
func hashSecret(h hash.Hash, s *corev1.Secret, key string) error {
	keys := []string{key}
	if key == "" {
		keys = slices.Sorted(maps.Keys(s.Data))
	} else if _, ok := s.Data[key]; !ok {
		return &errSecretMissing{msg: fmt.Sprintf("Secret %q has no key %q; add it or fix the reference", s.Name, key)}
	}
	for _, k := range keys {
		_, _ = fmt.Fprintf(h, "%d:%s%d:%s%d:", len(s.Name), s.Name, len(k), k, len(s.Data[k]))
		_, _ = h.Write(s.Data[k])
	}
	return nil
}
