package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// Secret contents that must reach the sink only through its environment.
const (
	testPostgresURL  = "postgresql://telemetry:s3cret-password@db:5432/telemetry?sslmode=disable"
	testHeaderSecret = "hc-api-key-do-not-leak"
)

// minimal is a backend as a user writes it; the API server fills in the rest.
func minimal(ns, name string, t telemetryv1alpha1.BackendType) *telemetryv1alpha1.TelemetryBackend {
	b := &telemetryv1alpha1.TelemetryBackend{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       telemetryv1alpha1.TelemetryBackendSpec{Type: t},
	}
	switch t {
	case telemetryv1alpha1.TypeMemory:
		b.Spec.Memory = &telemetryv1alpha1.MemorySpec{}
	case telemetryv1alpha1.TypeSQLite:
		b.Spec.SQLite = &telemetryv1alpha1.SQLiteSpec{}
	case telemetryv1alpha1.TypePostgreSQL:
		b.Spec.PostgreSQL = &telemetryv1alpha1.PostgreSQLSpec{
			ConnectionSecretRef: telemetryv1alpha1.SecretKeyRef{Name: name + "-db"},
		}
	case telemetryv1alpha1.TypeOTLP:
		b.Spec.OTLP = &telemetryv1alpha1.OTLPSpec{
			Endpoint:         "https://otlp.example.com:4317",
			HeadersSecretRef: &telemetryv1alpha1.SecretRef{Name: name + "-headers"},
		}
	}
	return b
}

// secretsFor are the Secrets a minimal backend references.
func secretsFor(b *telemetryv1alpha1.TelemetryBackend) []*corev1.Secret {
	secret := func(name string, data map[string]string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: b.Namespace, Name: name}, StringData: data}
	}
	switch b.Spec.Type {
	case telemetryv1alpha1.TypePostgreSQL:
		return []*corev1.Secret{secret(b.Name+"-db", map[string]string{"url": testPostgresURL})}
	case telemetryv1alpha1.TypeOTLP:
		return []*corev1.Secret{secret(b.Name+"-headers", map[string]string{"x-honeycomb-team": testHeaderSecret})}
	}
	return nil
}

func create(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// createWithSecrets creates a minimal backend of type t and its Secrets,
// and waits for its Deployment.
func createWithSecrets(t *testing.T, ns string, typ telemetryv1alpha1.BackendType) (*telemetryv1alpha1.TelemetryBackend, *appsv1.Deployment) {
	t.Helper()
	b := minimal(ns, "tb-"+string(typ), typ)
	for _, s := range secretsFor(b) {
		create(t, s)
	}
	create(t, b)
	return b, waitDeployment(t, b)
}

func waitDeployment(t *testing.T, b *telemetryv1alpha1.TelemetryBackend) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	eventually(t, "the sink Deployment exists", func() error {
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: b.Namespace, Name: ResourceName(b)}, &d)
	})
	return &d
}

func TestEveryTypeGetsItsOwnedObjects(t *testing.T) {
	ns := newNamespace(t)
	for _, typ := range []telemetryv1alpha1.BackendType{
		telemetryv1alpha1.TypeMemory, telemetryv1alpha1.TypeSQLite, telemetryv1alpha1.TypePostgreSQL, telemetryv1alpha1.TypeOTLP,
	} {
		t.Run(string(typ), func(t *testing.T) {
			b, d := createWithSecrets(t, ns, typ)
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(b), b); err != nil {
				t.Fatal(err)
			}
			objs := []client.Object{&corev1.ServiceAccount{}, &corev1.ConfigMap{}, &corev1.Service{}, d}
			names := []string{ResourceName(b), ResourceName(b), ResourceName(b), ResourceName(b)}
			if typ == telemetryv1alpha1.TypeSQLite {
				objs, names = append(objs, &corev1.PersistentVolumeClaim{}), append(names, PVCName(b))
			}
			for i, o := range objs {
				if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: names[i]}, o); err != nil {
					t.Fatalf("get %T: %v", o, err)
				}
				if !metav1.IsControlledBy(o, b) {
					t.Errorf("%T %s is not controlled by the backend: %v", o, o.GetName(), o.GetOwnerReferences())
				}
			}
			checkPorts(t, ns, b, d)
			checkStrategyAndVolume(t, b, d)
		})
	}
}

func checkPorts(t *testing.T, ns string, b *telemetryv1alpha1.TelemetryBackend, d *appsv1.Deployment) {
	t.Helper()
	want := []string{"otlp-grpc:4317", "otlp-http:4318", "query:8080"}
	var svc corev1.Service
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: ResourceName(b)}, &svc); err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(svc.Spec.Ports))
	for _, p := range svc.Spec.Ports {
		got = append(got, fmt.Sprintf("%s:%d", p.Name, p.Port))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Service ports (-want +got):\n%s", diff)
	}
	got = make([]string, 0, len(want))
	for _, p := range d.Spec.Template.Spec.Containers[0].Ports {
		got = append(got, fmt.Sprintf("%s:%d", p.Name, p.ContainerPort))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("container ports (-want +got):\n%s", diff)
	}
}

func checkStrategyAndVolume(t *testing.T, b *telemetryv1alpha1.TelemetryBackend, d *appsv1.Deployment) {
	t.Helper()
	single := b.Spec.Type == telemetryv1alpha1.TypeSQLite || b.Spec.Type == telemetryv1alpha1.TypeMemory
	if got := d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType; got != single {
		t.Errorf("strategy %s for type %s", d.Spec.Strategy.Type, b.Spec.Type)
	}
	var claim string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	wantClaim := ""
	if b.Spec.Type == telemetryv1alpha1.TypeSQLite {
		wantClaim = PVCName(b)
	} else {
		err := k8s.Get(context.Background(), client.ObjectKey{Namespace: b.Namespace, Name: PVCName(b)}, &corev1.PersistentVolumeClaim{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("type %s has a PVC (get: %v)", b.Spec.Type, err)
		}
	}
	if claim != wantClaim {
		t.Errorf("pod mounts claim %q, want %q", claim, wantClaim)
	}
}

func TestSecretsReachTheSinkOnlyThroughItsEnvironment(t *testing.T) {
	ns := newNamespace(t)
	tests := []struct {
		typ     telemetryv1alpha1.BackendType
		secret  string
		env     func(b *telemetryv1alpha1.TelemetryBackend) []corev1.EnvVar
		envFrom func(b *telemetryv1alpha1.TelemetryBackend) []corev1.EnvFromSource
	}{{
		typ: telemetryv1alpha1.TypePostgreSQL, secret: "s3cret-password",
		env: func(b *telemetryv1alpha1.TelemetryBackend) []corev1.EnvVar {
			return []corev1.EnvVar{{Name: config.EnvPostgreSQLURL, ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: b.Name + "-db"}, Key: "url"},
			}}}
		},
		envFrom: func(*telemetryv1alpha1.TelemetryBackend) []corev1.EnvFromSource { return nil },
	}, {
		typ: telemetryv1alpha1.TypeOTLP, secret: testHeaderSecret,
		env: func(*telemetryv1alpha1.TelemetryBackend) []corev1.EnvVar { return nil },
		envFrom: func(b *telemetryv1alpha1.TelemetryBackend) []corev1.EnvFromSource {
			return []corev1.EnvFromSource{{Prefix: config.EnvOTLPHeaderPrefix, SecretRef: &corev1.SecretEnvSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: b.Name + "-headers"},
			}}}
		},
	}}
	for _, tc := range tests {
		t.Run(string(tc.typ), func(t *testing.T) {
			b, d := createWithSecrets(t, ns, tc.typ)
			c := d.Spec.Template.Spec.Containers[0]
			if diff := cmp.Diff(tc.env(b), c.Env); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.envFrom(b), c.EnvFrom); diff != "" {
				t.Errorf("envFrom (-want +got):\n%s", diff)
			}
			var cm corev1.ConfigMap
			if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: ResourceName(b)}, &cm); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(fmt.Sprint(cm.Data, cm.BinaryData), tc.secret) {
				t.Errorf("the ConfigMap holds the Secret's content:\n%s", cm.Data[config.FileName])
			}
			if _, err := config.Parse([]byte(cm.Data[config.FileName])); err != nil {
				t.Errorf("the sink refuses the ConfigMap: %v", err)
			}
		})
	}
}
