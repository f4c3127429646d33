//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// Settings of the suite, from the environment so that it runs unchanged on
// a laptop, in CI and where no registry is reachable.
var (
	clusterName   = envOr("KIND_CLUSTER", "telemetry-e2e")
	nodeImage     = os.Getenv("KIND_NODE_IMAGE") // empty: kind's default
	keepCluster   = os.Getenv("E2E_KEEP_CLUSTER") == "true"
	reuseCluster  = os.Getenv("E2E_REUSE_CLUSTER") == "true"
	operatorImage = envOr("IMG", "telemetry-operator:v0.1.0")
	demoImage     = envOr("DEMO_IMG", "telemetry-demo:v0.1.0")
	postgresImage = envOr("POSTGRES_IMG", "telemetry-e2e-postgres:v0.1.0")
	releaseName   = "telemetry-operator"
	operatorNS    = "telemetry-system"
)

// env is the cluster the suite runs against.
type env struct {
	root       string
	kubeconfig string
	c          client.Client
	cs         *kubernetes.Clientset
}

var cluster *env

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// run runs a command from the repository root, echoing it, and fails with
// its output when it fails.
func run(ctx context.Context, root string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	fmt.Printf("e2e: $ %s %s (%s)\n", name, strings.Join(args, " "), time.Since(start).Round(time.Second))
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// setUp creates the kind cluster, builds and loads the images, and installs
// the operator with Helm.
func setUp(ctx context.Context) (*env, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	e := &env{root: root}
	kind := filepath.Join(root, "bin", "kind")
	clusters, err := run(ctx, root, kind, "get", "clusters")
	if err != nil {
		return nil, err
	}
	if containsLine(clusters, clusterName) && !reuseCluster {
		// A cluster left by an earlier run may be stopped or stale: start afresh.
		if _, err := run(ctx, root, kind, "delete", "cluster", "--name", clusterName); err != nil {
			return nil, err
		}
	}
	if !containsLine(clusters, clusterName) || !reuseCluster {
		args := []string{"create", "cluster", "--name", clusterName, "--wait", "120s"}
		if nodeImage != "" {
			args = append(args, "--image", nodeImage)
		}
		if _, err := run(ctx, root, kind, args...); err != nil {
			return nil, err
		}
	}
	e.kubeconfig = filepath.Join(os.TempDir(), "telemetry-e2e-"+clusterName+".kubeconfig")
	if _, err := run(ctx, root, kind, "export", "kubeconfig", "--name", clusterName, "--kubeconfig", e.kubeconfig); err != nil {
		return nil, err
	}
	if err := e.connect(); err != nil {
		return nil, err
	}
	if _, err := run(ctx, root, "make", "docker-build", "docker-build-e2e",
		"IMG="+operatorImage, "DEMO_IMG="+demoImage, "POSTGRES_IMG="+postgresImage); err != nil {
		return nil, err
	}
	for _, img := range []string{operatorImage, demoImage, postgresImage} {
		if _, err := run(ctx, root, kind, "load", "docker-image", img, "--name", clusterName); err != nil {
			return nil, err
		}
	}
	return e, e.helmInstall(ctx)
}

func (e *env) connect() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", e.kubeconfig)
	if err != nil {
		return err
	}
	// A scenario asks a sink for hundreds of traces one at a time; at
	// client-go's default of 5 requests a second that alone took minutes.
	cfg.QPS, cfg.Burst = 100, 200
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := telemetryv1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	if e.c, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	e.cs, err = kubernetes.NewForConfig(cfg)
	return err
}

// helm runs the helm binary pinned in bin/ against the suite's cluster.
func (e *env) helm(ctx context.Context, args ...string) (string, error) {
	return run(ctx, e.root, filepath.Join(e.root, "bin", "helm"), append(args, "--kubeconfig", e.kubeconfig)...)
}

func (e *env) helmInstall(ctx context.Context) error {
	// The operator's namespace enforces the restricted Pod Security
	// Standard, so the chart's pods are refused if they do not meet it.
	if _, err := e.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: operatorNS, Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
	}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	repo, tag, _ := strings.Cut(operatorImage, ":")
	_, err := e.helm(ctx, "upgrade", "--install", releaseName, "charts/telemetry-operator",
		"--namespace", operatorNS, "--create-namespace", "--wait", "--timeout", "3m",
		"--set", "image.repository="+repo, "--set", "image.tag="+tag,
		"--set", "image.pullPolicy=IfNotPresent")
	return err
}

func (e *env) tearDown(ctx context.Context) {
	if keepCluster {
		fmt.Printf("e2e: keeping cluster %s (E2E_KEEP_CLUSTER=true); kubeconfig %s\n", clusterName, e.kubeconfig)
		return
	}
	if _, err := run(ctx, e.root, filepath.Join(e.root, "bin", "kind"), "delete", "cluster", "--name", clusterName); err != nil {
		fmt.Println("e2e:", err)
	}
}

func containsLine(s, want string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	var err error
	cluster, err = setUp(ctx)
	cancel()
	if err != nil {
		fmt.Println("e2e: set-up failed:", err)
		if cluster != nil {
			cluster.dump(context.Background())
		}
		os.Exit(1)
	}
	code := m.Run()
	cluster.tearDown(context.Background())
	os.Exit(code)
}
