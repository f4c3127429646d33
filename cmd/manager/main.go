// Command manager runs the telemetry-operator: the TelemetryBackend
// controller and the pod-injection webhook.
package main

import (
	"flag"
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
	if err != nil {
		log.Error(err, "unable to create manager")
		os.Exit(1)
	}
	if err := (&controllers.TelemetryBackendReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		SinkImage: opts.sinkImage,
		Recorder:  mgr.GetEventRecorder("telemetry-operator"),
	}).SetupWithManager(mgr); err != nil {
		log.Error(err, "unable to set up the TelemetryBackend controller")
		os.Exit(1)
	}
	if err := setupWebhooks(mgr, &opts.webhookOpts); err != nil {
		log.Error(err, "unable to set up the webhooks")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up the readiness check")
		os.Exit(1)
	}
	log.Info("starting manager", "namespaces", opts.namespaces(), "sinkImage", opts.sinkImage)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
