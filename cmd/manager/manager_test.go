package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/controllers"
)

// cfg reaches the envtest API server that TestMain starts.
var cfg *rest.Config

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set: run `make test`, or set it to the output of hack/envtest.sh")
		return 1
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	if cfg, err = env.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	return m.Run()
}

func TestManagerReconcilesOnlyTheWatchedNamespaces(t *testing.T) {
	c, err := client.New(cfg, client.Options{Scheme: newScheme()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	watched, ignored := namespace(t, c), namespace(t, c)
	opts := parse(t, "--watch-namespaces="+watched, "--sink-image=example.com/sink:watched",
		"--enable-webhook=false", "--metrics-bind-address=0", "--health-probe-bind-address=0")
	mopts := opts.managerOptions()
	// Controller names are unique per process; -count runs the test again.
	mopts.Controller.SkipNameValidation = ptr.To(true)
	mgr, err := ctrl.NewManager(cfg, mopts)
	if err != nil {
		t.Fatal(err)
	}
	if err := setup(mgr, opts); err != nil {
		t.Fatal(err)
	}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})

	// The ignored backend is created first, so that the watched one being
	// reconciled shows the manager had its chance at both.
	for _, ns := range []string{ignored, watched} {
		b := &telemetryv1alpha1.TelemetryBackend{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dev"},
			Spec:       telemetryv1alpha1.TelemetryBackendSpec{Type: telemetryv1alpha1.TypeMemory, Memory: &telemetryv1alpha1.MemorySpec{}},
		}
		if err := c.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var d appsv1.Deployment
	deadline := time.Now().Add(30 * time.Second)
	for c.Get(ctx, client.ObjectKey{Namespace: watched, Name: "dev-sink"}, &d) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the backend in the watched namespace got no Deployment in 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != "example.com/sink:watched" {
		t.Errorf("sink image %q, want the --sink-image value", got)
	}
	var b telemetryv1alpha1.TelemetryBackend
	if err := c.Get(ctx, client.ObjectKey{Namespace: ignored, Name: "dev"}, &b); err != nil {
		t.Fatal(err)
	}
	err = c.Get(ctx, client.ObjectKey{Namespace: ignored, Name: controllers.ResourceName(&b)}, &appsv1.Deployment{})
	if len(b.Status.Conditions) > 0 || !apierrors.IsNotFound(err) {
		t.Errorf("the backend outside --watch-namespaces was reconciled: conditions %v, Deployment get: %v", b.Status.Conditions, err)
	}
}

func namespace(t *testing.T, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "manager-test-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
