package main

import (
	"crypto/tls"
	"flag"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/controllers"
)

// Environment variables that default the flags of the same meaning, so that
// a Deployment or a Helm chart can set them without rewriting the args.
const (
	envWatchNamespaces = "WATCH_NAMESPACES"
	envSinkImage       = "SINK_IMAGE"
)

// options are the manager's flags.
type options struct {
	metricsAddr      string
	secureMetrics    bool
	probeAddr        string
	leaderElect      bool
	leaderElectionNS string
	watchNamespaces  string
	sinkImage        string
	webhookOpts      webhookOptions
	enableHTTP2      bool
}

func (o *options) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8443",
		"Address of the metrics endpoint (:8443 for HTTPS, :8080 for HTTP, 0 to disable).")
	fs.BoolVar(&o.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS, authenticated and authorized through the API server.")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of /healthz and /readyz.")
	fs.BoolVar(&o.leaderElect, "leader-elect", false,
		"Elect a leader, so that only one of several manager replicas reconciles.")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "",
		"Namespace of the leader election Lease; empty uses the manager's own namespace.")
	fs.StringVar(&o.watchNamespaces, "watch-namespaces", os.Getenv(envWatchNamespaces),
		"Comma-separated namespaces to watch; empty watches all. Defaults to $"+envWatchNamespaces+".")
	fs.StringVar(&o.sinkImage, "sink-image", envOr(envSinkImage, controllers.DefaultSinkImage),
		"Sink image of backends that do not set spec.sink.image. Defaults to $"+envSinkImage+".")
	o.webhookOpts.bindFlags(fs)
	fs.BoolVar(&o.enableHTTP2, "enable-http2", false,
		"Serve HTTP/2 on the metrics and webhook servers; off by default against the HTTP/2 rapid reset attacks.")
}

// namespaces are the watched namespaces; nil means all.
func (o *options) namespaces() []string {
	var ns []string
	for n := range strings.SplitSeq(o.watchNamespaces, ",") {
		if n = strings.TrimSpace(n); n != "" {
			ns = append(ns, n)
		}
	}
	return ns
}

func (o *options) managerOptions() ctrl.Options {
	var tlsOpts []func(*tls.Config)
	if !o.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metrics := metricsserver.Options{BindAddress: o.metricsAddr, SecureServing: o.secureMetrics, TLSOpts: tlsOpts}
	if o.secureMetrics {
		metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	opts := ctrl.Options{
		Scheme:                  newScheme(),
		Metrics:                 metrics,
		HealthProbeBindAddress:  o.probeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "telemetry-operator.telemetry.spark.dev",
		LeaderElectionNamespace: o.leaderElectionNS,
		WebhookServer: webhook.NewServer(webhook.Options{
			Port: o.webhookOpts.port, CertDir: o.webhookOpts.certDir, TLSOpts: tlsOpts,
		}),
	}
	if ns := o.namespaces(); len(ns) > 0 {
		opts.Cache.DefaultNamespaces = map[string]cache.Config{}
		for _, n := range ns {
			opts.Cache.DefaultNamespaces[n] = cache.Config{}
		}
	}
	return opts
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(telemetryv1alpha1.AddToScheme(s))
	return s
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
