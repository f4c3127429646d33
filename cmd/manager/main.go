// Command manager runs the telemetry-operator: the TelemetryBackend
// controller and the pod-injection webhook.
package main

import (
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/spark-dev/telemetry-operator/controllers"
)

func main() {
	opts := &options{}
	zapOpts := zap.Options{}
	opts.bindFlags(flag.CommandLine)
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), opts.managerOptions())
	if err == nil {
		err = setup(mgr, opts)
	}
	if err != nil {
		log.Error(err, "unable to set up the manager")
		os.Exit(1)
	}
	log.Info("starting manager", "namespaces", opts.namespaces(), "sinkImage", opts.sinkImage)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// setup registers everything the manager runs: the TelemetryBackend
// controller, the webhooks (cmd/manager/webhook.go) and the health checks.
func setup(mgr ctrl.Manager, opts *options) error {
	if err := (&controllers.TelemetryBackendReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		SinkImage: opts.sinkImage,
		Recorder:  mgr.GetEventRecorder("telemetry-operator"),
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("TelemetryBackend controller: %w", err)
	}
	if err := setupWebhooks(mgr, &opts.webhookOpts); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("readiness check: %w", err)
	}
	return nil
}
