package chart

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestDefaultsRenderTheWholeOperator(t *testing.T) {
	r := mustRender(t, nil)
	want := []string{
		"ClusterRole/" + release + "-manager", "ClusterRole/" + release + "-metrics-auth",
		"ClusterRole/" + release + "-metrics-reader", "ClusterRoleBinding/" + release + "-manager",
		"ClusterRoleBinding/" + release + "-metrics-auth",
		"ClusterRole/" + release + "-webhook-cabundle", "ClusterRoleBinding/" + release + "-webhook-cabundle",
		"CustomResourceDefinition/telemetrybackends.telemetry.spark.dev",
		"Deployment/" + release, "MutatingWebhookConfiguration/" + release + "-pod-injection",
		"Role/" + release + "-namespaced", "RoleBinding/" + release + "-namespaced",
		"Service/" + release + "-metrics", "Service/" + release + "-webhook", "ServiceAccount/" + release,
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, r.keys()); diff != "" {
		t.Errorf("rendered objects (-want +got):\n%s", diff)
	}
	crd := r.get(t, "CustomResourceDefinition/telemetrybackends.telemetry.spark.dev")
	if got := crd.GetAnnotations()["helm.sh/resource-policy"]; got != "keep" {
		t.Errorf("CRD resource-policy = %q, want keep by default", got)
	}
	args := containerArgs(t, r)
	for _, a := range []string{"--leader-elect", "--webhook-cert-mode=self", "--enable-webhook=true",
		"--sink-image=ghcr.io/spark-dev/telemetry-operator:v0.1.0",
		"--webhook-service-name=" + release + "-webhook",
		"--webhook-configuration-name=" + release + "-pod-injection",
		"--webhook-secret-name=" + release + "-webhook-cert"} {
		if !slices.Contains(args, a) {
			t.Errorf("manager args %v lack %s", args, a)
		}
	}
}

func TestWebhookConfigurationFailsOpenAndSkipsSystemNamespaces(t *testing.T) {
	r := mustRender(t, nil)
	hooks, _, _ := unstructured.NestedSlice(r.get(t, "MutatingWebhookConfiguration/"+release+"-pod-injection").Object, "webhooks")
	hook := hooks[0].(map[string]any)
	for field, want := range map[string]any{"failurePolicy": "Ignore", "sideEffects": "None", "timeoutSeconds": int64(5)} {
		if hook[field] != want {
			t.Errorf("%s = %v, want %v", field, hook[field], want)
		}
	}
	exprs, _, _ := unstructured.NestedSlice(hook, "namespaceSelector", "matchExpressions")
	values, _, _ := unstructured.NestedStringSlice(exprs[0].(map[string]any), "values")
	if diff := cmp.Diff([]string{"kube-system", releaseNS}, values); diff != "" {
		t.Errorf("excluded namespaces (-want +got):\n%s", diff)
	}
	svc, _, _ := unstructured.NestedString(hook, "clientConfig", "service", "name")
	if svc != release+"-webhook" {
		t.Errorf("webhook service %q", svc)
	}
}

func TestValuesChangeTheRenderedObjects(t *testing.T) {
	tests := []struct {
		name   string
		values string
		check  func(t *testing.T, r rendered)
	}{
		{"watched namespaces become a flag", "watchNamespaces: [team-a, team-b]", func(t *testing.T, r rendered) {
			if !slices.Contains(containerArgs(t, r), "--watch-namespaces=team-a,team-b") {
				t.Errorf("args %v", containerArgs(t, r))
			}
		}},
		{"failurePolicy and timeout reach the webhook", "webhook: {failurePolicy: Fail, timeoutSeconds: 3}", func(t *testing.T, r rendered) {
			hooks, _, _ := unstructured.NestedSlice(r.get(t, "MutatingWebhookConfiguration/"+release+"-pod-injection").Object, "webhooks")
			if h := hooks[0].(map[string]any); h["failurePolicy"] != "Fail" || h["timeoutSeconds"] != int64(3) {
				t.Errorf("webhook %v", h)
			}
		}},
		{"cert-manager mode makes a Certificate and mounts its Secret", "webhook: {certificates: {mode: cert-manager}}", func(t *testing.T, r rendered) {
			r.get(t, "Certificate/"+release+"-webhook-cert")
			r.get(t, "Issuer/"+release+"-selfsigned")
			mwc := r.get(t, "MutatingWebhookConfiguration/"+release+"-pod-injection")
			if mwc.GetAnnotations()["cert-manager.io/inject-ca-from"] != releaseNS+"/"+release+"-webhook-cert" {
				t.Errorf("annotations %v", mwc.GetAnnotations())
			}
			if !slices.Contains(containerArgs(t, r), "--webhook-cert-mode=cert-manager") {
				t.Errorf("args %v", containerArgs(t, r))
			}
		}},
		{"the webhook can be switched off", "webhook: {enabled: false}", func(t *testing.T, r rendered) {
			if _, ok := r["MutatingWebhookConfiguration/"+release+"-pod-injection"]; ok {
				t.Error("webhook configuration rendered")
			}
			if !slices.Contains(containerArgs(t, r), "--enable-webhook=false") {
				t.Errorf("args %v", containerArgs(t, r))
			}
		}},
		{"a ServiceMonitor on request", "metrics: {serviceMonitor: {enabled: true}}", func(t *testing.T, r rendered) {
			r.get(t, "ServiceMonitor/"+release)
		}},
		{"CRDs can be left out", "crds: {install: false}", func(t *testing.T, r rendered) {
			if _, ok := r["CustomResourceDefinition/telemetrybackends.telemetry.spark.dev"]; ok {
				t.Error("CRD rendered")
			}
		}},
		{"CRDs deleted on uninstall when not kept", "crds: {keep: false}", func(t *testing.T, r rendered) {
			crd := r.get(t, "CustomResourceDefinition/telemetrybackends.telemetry.spark.dev")
			if _, ok := crd.GetAnnotations()["helm.sh/resource-policy"]; ok {
				t.Error("keep policy set")
			}
		}},
		{"replicas and resources", "replicaCount: 2\nresources: {limits: {memory: 1Gi}}", func(t *testing.T, r rendered) {
			d := r.get(t, "Deployment/"+release)
			if n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); n != 2 {
				t.Errorf("replicas %d", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var values map[string]any
			if err := yaml.Unmarshal([]byte(tt.values), &values); err != nil {
				t.Fatal(err)
			}
			tt.check(t, mustRender(t, values))
		})
	}
}

func TestInvalidValuesAreRefused(t *testing.T) {
	for _, v := range []string{"webhook: {failurePolicy: Sometimes}", "webhook: {certificates: {mode: vault}}", "replicaCount: 0"} {
		var values map[string]any
		if err := yaml.Unmarshal([]byte(v), &values); err != nil {
			t.Fatal(err)
		}
		if _, err := render(t, values); err == nil {
			t.Errorf("%s: rendered without error", v)
		}
	}
}

func TestClusterRoleRulesMatchTheGeneratedRole(t *testing.T) {
	data, err := os.ReadFile(repoFile("config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var role struct {
		Rules []any `json:"rules"`
	}
	if err := yaml.Unmarshal(data, &role); err != nil {
		t.Fatal(err)
	}
	got, _, _ := unstructured.NestedSlice(mustRender(t, nil).get(t, "ClusterRole/"+release+"-manager").Object, "rules")
	if diff := cmp.Diff(role.Rules, got); diff != "" {
		t.Errorf("chart ClusterRole differs from config/rbac/role.yaml; run make manifests (-want +got):\n%s", diff)
	}
}

// TestPodsMeetTheRestrictedPodSecurityStandard checks the fields the
// "restricted" profile requires of every pod the chart makes.
func TestPodsMeetTheRestrictedPodSecurityStandard(t *testing.T) {
	for key, u := range mustRender(t, nil) {
		if !strings.HasPrefix(key, "Deployment/") {
			continue
		}
		spec, _, _ := unstructured.NestedMap(u.Object, "spec", "template", "spec")
		if v, _, _ := unstructured.NestedBool(spec, "securityContext", "runAsNonRoot"); !v {
			t.Errorf("%s: pod runAsNonRoot not true", key)
		}
		if v, _, _ := unstructured.NestedString(spec, "securityContext", "seccompProfile", "type"); v != "RuntimeDefault" {
			t.Errorf("%s: pod seccompProfile %q", key, v)
		}
		containers, _, _ := unstructured.NestedSlice(spec, "containers")
		for _, c := range containers {
			sc, _, _ := unstructured.NestedMap(c.(map[string]any), "securityContext")
			if v, ok, _ := unstructured.NestedBool(sc, "allowPrivilegeEscalation"); !ok || v {
				t.Errorf("%s: allowPrivilegeEscalation must be false", key)
			}
			if drop, _, _ := unstructured.NestedStringSlice(sc, "capabilities", "drop"); !slices.Contains(drop, "ALL") {
				t.Errorf("%s: capabilities.drop %v lacks ALL", key, drop)
			}
			if v, _, _ := unstructured.NestedBool(sc, "readOnlyRootFilesystem"); !v {
				t.Errorf("%s: readOnlyRootFilesystem not true", key)
			}
		}
	}
}
