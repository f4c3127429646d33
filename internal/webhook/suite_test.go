package webhook

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

var (
	// k8s talks to the envtest API server directly, so pods created with it
	// go through the real admission chain and the webhook.
	k8s client.Client
	// restConfig reaches the envtest API server, for its /metrics.
	restConfig *rest.Config
	// injector is a handler like the registered one, for calling directly.
	injector *PodInjector
	scheme   = runtime.NewScheme()
	// webhookTimes is how long the webhook server spent on each admission
	// request, for the benchmarks.
	webhookTimes durationLog
)

// TestMain starts a kube-apiserver with the CRD and the webhook
// configuration of config/webhook, pointed by envtest at a manager whose
// webhook server runs this package's Setup.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set: run `make test`, or set it to the output of hack/envtest.sh")
		return 1
	}
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(telemetryv1alpha1.AddToScheme(scheme))
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			Paths: []string{filepath.Join("..", "..", "config", "webhook", "manifests.yaml")},
		},
	}
	flag.Parse()
	if benchmarking() {
		dir, err := os.MkdirTemp("", "webhook-bench-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() { _ = os.RemoveAll(dir) }()
		stop, err := traceAPIServer(env, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trace receiver:", err)
			return 1
		}
		defer stop()
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := startManager(ctx, cfg, &env.WebhookInstallOptions); err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		return 1
	}
	return m.Run()
}

// startManager runs a manager serving the webhook on envtest's host, port and
// certificates, and waits until the webhook server accepts TLS.
func startManager(ctx context.Context, restCfg *rest.Config, wio *envtest.WebhookInstallOptions) error {
	restConfig = restCfg
	var err error
	if k8s, err = client.New(restCfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(restCfg, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		WebhookServer: timedServer{webhook.NewServer(webhook.Options{
			Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir,
		})},
	})
	if err != nil {
		return err
	}
	if err := Setup(ctx, mgr); err != nil {
		return err
	}
	injector = &PodInjector{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Decoder: admission.NewDecoder(scheme),
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager stopped:", err)
		}
	}()
	addr := net.JoinHostPort(wio.LocalServingHost, strconv.Itoa(wio.LocalServingPort))
	return pollUntil(30*time.Second, func() bool {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // Only probes that the server listens.
		if err == nil {
			_ = conn.Close()
		}
		return err == nil && mgr.GetCache().WaitForCacheSync(ctx)
	})
}

// timedServer is the manager's webhook server with each handler timed into
// webhookTimes, from the request reaching the handler until the handler has
// written its response (net/http sends the buffered bytes after that, so the
// final TLS write counts only in the API server's figure). In production,
// controller-runtime's controller_runtime_webhook_latency_seconds measures
// the same span, but its classic buckets are decades (100 µs, 1 ms, 10 ms):
// too coarse for a p99 unless Prometheus scrapes its native histogram.
type timedServer struct{ webhook.Server }

// Register registers hook behind the timer.
func (s timedServer) Register(path string, hook http.Handler) {
	s.Server.Register(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hook.ServeHTTP(w, r)
		webhookTimes.add(time.Since(start))
	}))
}

// durationLog is a list of durations that handlers append to concurrently.
type durationLog struct {
	mu        sync.Mutex
	durations []time.Duration
}

func (l *durationLog) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.durations = append(l.durations, d)
}

// take returns the durations added since the last take.
func (l *durationLog) take() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.durations
	l.durations = nil
	return d
}

// pollUntil calls cond until it holds or timeout passes.
func pollUntil(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within %v", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// newNamespace creates a namespace with the given annotations for one test.
func newNamespace(t testing.TB, annotations map[string]string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "team-", Annotations: annotations}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
