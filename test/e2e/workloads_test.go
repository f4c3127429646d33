//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// applySample creates every object of a file in config/samples in namespace
// ns, letting edit change the TelemetryBackend first.
func applySample(t *testing.T, file, ns string, edit func(*telemetryv1alpha1.TelemetryBackend)) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cluster.root, "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	var backend *telemetryv1alpha1.TelemetryBackend
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		u.SetNamespace(ns)
		var obj client.Object = u
		if u.GetKind() == "TelemetryBackend" {
			backend = &telemetryv1alpha1.TelemetryBackend{}
			if err := cluster.c.Scheme().Convert(u, backend, nil); err != nil {
				t.Fatal(err)
			}
			if edit != nil {
				edit(backend)
			}
			obj = backend
		}
		create(t, obj)
	}
	if backend == nil {
		t.Fatalf("%s holds no TelemetryBackend", file)
	}
}

// postgres runs the suite's PostgreSQL image (Debian's package) behind a
// Service named postgres, as the postgresql sample's Secret expects.
func postgres(t *testing.T, ns string) {
	t.Helper()
	labels := map[string]string{"app": "postgres"}
	env := []corev1.EnvVar{
		{Name: "POSTGRES_USER", Value: "telemetry"},
		{Name: "POSTGRES_PASSWORD", Value: "change-me"},
		{Name: "POSTGRES_DB", Value: "telemetry"},
	}
	c := container("postgres", postgresImage, env)
	c.Ports = []corev1.ContainerPort{{Name: "postgres", ContainerPort: 5432}}
	c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}}, PeriodSeconds: 2}
	c.SecurityContext.ReadOnlyRootFilesystem = ptr.To(false) // initdb writes into the image's data directory
	create(t, deployment(ns, "postgres", labels, nil, c))
	create(t, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "postgres", Namespace: ns},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 5432, TargetPort: intstr.FromInt32(5432)}}},
	})
	eventually(t, 3*time.Minute, "postgres ready", func(ctx context.Context) error {
		d := &appsv1.Deployment{}
		if err := cluster.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "postgres"}, d); err != nil {
			return err
		}
		if d.Status.ReadyReplicas < 1 {
			return fmt.Errorf("%d ready replicas", d.Status.ReadyReplicas)
		}
		return nil
	})
}

// demoEnv is the demo workload's environment where a scenario needs no other:
// a trace every half second.
var demoEnv = []corev1.EnvVar{{Name: "DEMO_INTERVAL", Value: "500ms"}}

// demo runs the demo workload opted in to a backend by the pod annotation;
// its service name is the app.kubernetes.io/name label. The webhook adds
// the OTEL_* variables env does not set.
func demo(t *testing.T, ns, name, inject string, env []corev1.EnvVar) {
	t.Helper()
	create(t, deployment(ns, name, demoLabels(name), map[string]string{"telemetry.spark.dev/inject": inject},
		container("demoapp", demoImage, env)))
}

func demoLabels(name string) map[string]string {
	return map[string]string{"app": "demoapp", "app.kubernetes.io/name": name}
}

// sinkLabels select the pods of a backend's sink.
func sinkLabels(backend string) map[string]string {
	return map[string]string{"app.kubernetes.io/instance": backend, "app.kubernetes.io/name": "telemetry-sink"}
}

// container is a container that meets the restricted Pod Security Standard.
func container(name, image string, env []corev1.EnvVar) corev1.Container {
	return corev1.Container{
		Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent, Env: env,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

func deployment(ns, name string, labels, annotations map[string]string, c corev1.Container) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{c}},
			},
		},
	}
}

// podOf returns the newest pod of a Deployment-managed workload in the
// scenarios' namespace.
func podOf(ctx context.Context, selector map[string]string) (*corev1.Pod, error) {
	pods := &corev1.PodList{}
	if err := cluster.c.List(ctx, pods, client.InNamespace(backendsNS), client.MatchingLabels(selector)); err != nil {
		return nil, err
	}
	var newest *corev1.Pod
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp == nil && (newest == nil || p.CreationTimestamp.After(newest.CreationTimestamp.Time)) {
			newest = p
		}
	}
	if newest == nil {
		return nil, fmt.Errorf("no pod in %s matches %v", backendsNS, selector)
	}
	return newest, nil
}

// replacement returns the backend's new sink pod once the old one is gone
// and the new one is Ready, so that what is read next can only come from it.
func replacement(ctx context.Context, backend string, old *corev1.Pod) (*corev1.Pod, error) {
	if err := cluster.c.Get(ctx, client.ObjectKeyFromObject(old), &corev1.Pod{}); !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("old pod %s not gone yet (%v)", old.Name, err)
	}
	p, err := podOf(ctx, sinkLabels(backend))
	if err != nil {
		return nil, err
	}
	if !podReady(p) {
		return nil, fmt.Errorf("new pod %s not ready", p.Name)
	}
	return p, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
