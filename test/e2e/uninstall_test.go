//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// helmUninstallLeavesOnlyKept uninstalls the release: every object of the
// chart must go except the CRD, which crds.keep (the default) keeps so that
// uninstalling the operator never deletes the users' backends.
func helmUninstallLeavesOnlyKept(t *testing.T) {
	ctx := context.Background()
	if _, err := cluster.helm(ctx, "uninstall", releaseName, "--namespace", operatorNS, "--wait"); err != nil {
		t.Fatal(err)
	}
	prefix := releaseName
	gone := []struct {
		obj client.Object
		key client.ObjectKey
	}{
		{&appsv1.Deployment{}, client.ObjectKey{Namespace: operatorNS, Name: prefix}},
		{&admissionregistrationv1.MutatingWebhookConfiguration{}, client.ObjectKey{Name: prefix + "-pod-injection"}},
		{&rbacv1.ClusterRole{}, client.ObjectKey{Name: prefix + "-manager"}},
		{&rbacv1.ClusterRoleBinding{}, client.ObjectKey{Name: prefix + "-manager"}},
		{&rbacv1.ClusterRole{}, client.ObjectKey{Name: prefix + "-webhook-cabundle"}},
		// The self-managed certificate's Secret is owned by the webhook
		// configuration, so it goes with it.
		{&corev1.Secret{}, client.ObjectKey{Namespace: operatorNS, Name: prefix + "-webhook-cert"}},
	}
	eventually(t, 2*time.Minute, "the release's objects deleted", func(ctx context.Context) error {
		for _, g := range gone {
			if err := cluster.c.Get(ctx, g.key, g.obj); !apierrors.IsNotFound(err) {
				return fmt.Errorf("%T %s still there (%v)", g.obj, g.key, err)
			}
		}
		return nil
	})
	crd := &apiextensionsv1.CustomResourceDefinition{}
	raw, err := cluster.cs.RESTClient().Get().AbsPath("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/telemetrybackends.telemetry.spark.dev").DoRaw(ctx)
	if err != nil {
		t.Fatalf("the TelemetryBackend CRD was not kept: %v", err)
	}
	if err := json.Unmarshal(raw, crd); err != nil {
		t.Fatal(err)
	}
	if crd.Annotations["helm.sh/resource-policy"] != "keep" {
		t.Errorf("CRD kept without the keep policy annotation: %v", crd.Annotations)
	}
}

// list calls a list endpoint of the query API and returns its items, whether
// the API answers a bare array or an object holding one.
func list(ctx context.Context, backend, path string, params map[string]string) ([]map[string]any, error) {
	var raw any
	if err := query(ctx, backend, path, params, &raw); err != nil {
		return nil, err
	}
	if obj, ok := raw.(map[string]any); ok {
		for _, v := range obj {
			if arr, ok := v.([]any); ok {
				raw = arr
				break
			}
		}
	}
	arr, _ := raw.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, item := range arr {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
