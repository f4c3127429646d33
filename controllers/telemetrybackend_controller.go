package controllers

import (
	"context"
	"errors"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// TelemetryBackendReconciler runs one sink per TelemetryBackend: it applies
// the owned objects and reports what the cluster shows in the status.
type TelemetryBackendReconciler struct {
	client.Client
	// APIReader reads Secrets past the cache, which holds only their
	// metadata, so that the operator never caches the cluster's secrets.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	// SinkImage is the sink image of backends that do not set spec.sink.image.
	SinkImage string
	// Recorder, when set, turns status transitions into Events on the
	// backend, for kubectl describe.
	Recorder events.EventRecorder
}

// observation is what one reconcile learned, the input of the status.
type observation struct {
	config     *config.Config
	secretHash string
	// secretErr is a referenced Secret or key that is missing.
	secretErr error
	// configErr is a spec the sink would refuse.
	configErr error
	// applyErr is an owned object the API server refused.
	applyErr error
	// deployment is the sink Deployment as the cluster shows it; nil when
	// it does not exist.
	deployment *appsv1.Deployment
}

// phase is one step of a reconcile; a phase records problems the user must
// fix in the observation and returns only errors worth a retry.
type phase func(context.Context, *telemetryv1alpha1.TelemetryBackend, *observation) error

// +kubebuilder:rbac:groups=telemetry.spark.dev,resources=telemetrybackends,verbs=get;list;watch
// +kubebuilder:rbac:groups=telemetry.spark.dev,resources=telemetrybackends/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=telemetry.spark.dev,resources=telemetrybackends/finalizers,verbs=update
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=services;configmaps;serviceaccounts;persistentvolumeclaims,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile applies a backend's objects, then writes its status once.
func (r *TelemetryBackendReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var b telemetryv1alpha1.TelemetryBackend
	if err := r.Get(ctx, req.NamespacedName, &b); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !b.DeletionTimestamp.IsZero() {
		// Owner references delete the owned objects.
		return ctrl.Result{}, nil
	}
	obs := &observation{}
	var errs []error
	for _, p := range []phase{r.renderConfig, r.resolveSecrets, r.applyObjects, r.observeDeployment} {
		errs = append(errs, p(ctx, &b, obs))
	}
	errs = append(errs, r.patchStatus(ctx, &b, obs))
	return ctrl.Result{}, errors.Join(errs...)
}

func (r *TelemetryBackendReconciler) renderConfig(_ context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	obs.config, obs.configErr = SinkConfig(b)
	return nil
}

func (r *TelemetryBackendReconciler) resolveSecrets(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	hash, err := resolveSecrets(ctx, r.APIReader, b)
	var missing *errSecretMissing
	if errors.As(err, &missing) {
		obs.secretErr = missing
		return nil
	}
	obs.secretHash = hash
	return err
}

// applyObjects applies every owned object. The Deployment is applied only
// when the configuration is valid and every referenced Secret exists: a
// sink started without them would only crash-loop, and one already running
// keeps running with what it has until the problem is fixed.
func (r *TelemetryBackendReconciler) applyObjects(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	var errs []error
	errs = append(errs, r.apply(ctx, b, ServiceAccount(b)))
	if pvc := PersistentVolumeClaim(b); pvc != nil {
		errs = append(errs, r.apply(ctx, b, pvc))
	}
	errs = append(errs, r.apply(ctx, b, Service(b)))
	if obs.configErr == nil {
		errs = append(errs, r.applySink(ctx, b, obs))
	}
	obs.applyErr = errors.Join(errs...)
	return obs.applyErr
}

// applySink applies the ConfigMap and, unless a Secret is missing, the
// Deployment whose pod template carries the ConfigMap's and Secrets' hashes.
func (r *TelemetryBackendReconciler) applySink(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	cm, err := ConfigMap(b, obs.config)
	if err != nil {
		return err
	}
	if err := r.apply(ctx, b, cm); err != nil || obs.secretErr != nil {
		return err
	}
	d := Deployment(b, DeploymentInputs{DefaultImage: r.SinkImage, ConfigHash: ConfigHash(cm), SecretHash: obs.secretHash})
	if err := r.apply(ctx, b, d); err != nil {
		return err
	}
	obs.deployment = d
	return nil
}

// observeDeployment reads the Deployment when it was not applied in this
// reconcile, so that the status of a blocked backend still shows its pods.
func (r *TelemetryBackendReconciler) observeDeployment(ctx context.Context, b *telemetryv1alpha1.TelemetryBackend, obs *observation) error {
	if obs.deployment != nil {
		return nil
	}
	var d appsv1.Deployment
	err := r.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: ResourceName(b)}, &d)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if metav1.IsControlledBy(&d, b) {
		obs.deployment = &d
	}
	return nil
}

// SetupWithManager watches backends, every owned kind, and the Secrets the
// backends reference.
func (r *TelemetryBackendReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := indexSecretRefs(context.Background(), mgr); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&telemetryv1alpha1.TelemetryBackend{}).
		Owns(&corev1.ServiceAccount{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.PersistentVolumeClaim{}).
		Owns(&appsv1.Deployment{}).
		WatchesMetadata(&corev1.Secret{}, secretHandler(mgr.GetClient())).
		Named("telemetrybackend").
		Complete(r)
}
