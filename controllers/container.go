package controllers

import (
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// sinkUID is the non-root user of the sink, the distroless "nonroot" user;
// it also owns the sqlite volume through fsGroup.
const sinkUID int64 = 65532

// Volume names of the sink pod.
const (
	volumeConfig = "config"
	volumeTmp    = "tmp"
	volumeData   = "data"
)

// container is the sink container: the restricted Pod Security Standard,
// the configuration file, and secrets through the environment only.
func container(b *telemetryv1alpha1.TelemetryBackend, sink *telemetryv1alpha1.SinkSpec, in DeploymentInputs) corev1.Container {
	image := sink.Image
	if image == "" {
		image = in.DefaultImage
	}
	env, envFrom := secretEnv(b)
	return corev1.Container{
		Name:            containerName,
		Image:           image,
		ImagePullPolicy: sink.ImagePullPolicy,
		Command:         []string{sinkBinary},
		Args:            []string{"--config", path.Join(ConfigDir, config.FileName)},
		Ports: []corev1.ContainerPort{
			{Name: PortOTLPGRPC, ContainerPort: config.GRPCPort, Protocol: corev1.ProtocolTCP},
			{Name: PortOTLPHTTP, ContainerPort: config.HTTPPort, Protocol: corev1.ProtocolTCP},
			{Name: PortQuery, ContainerPort: config.QueryPort, Protocol: corev1.ProtocolTCP},
		},
		Env:            env,
		EnvFrom:        envFrom,
		Resources:      sink.Resources,
		LivenessProbe:  probe("/healthz", 10),
		ReadinessProbe: probe("/readyz", 2),
		VolumeMounts:   volumeMounts(b),
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr.To(true),
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

// secretEnv wires the referenced Secrets into the environment, the only way
// secrets reach the sink: the PostgreSQL URL as one variable, and every key
// of the OTLP headers Secret as one prefixed variable per header.
func secretEnv(b *telemetryv1alpha1.TelemetryBackend) ([]corev1.EnvVar, []corev1.EnvFromSource) {
	var env []corev1.EnvVar
	var envFrom []corev1.EnvFromSource
	if pg := b.Spec.PostgreSQL; pg != nil {
		ref := pg.ConnectionSecretRef
		env = append(env, corev1.EnvVar{
			Name: config.EnvPostgreSQLURL,
			ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: secretKey(ref),
			}},
		})
	}
	if o := b.Spec.OTLP; o != nil && o.HeadersSecretRef != nil {
		envFrom = append(envFrom, corev1.EnvFromSource{
			Prefix:    config.EnvOTLPHeaderPrefix,
			SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: o.HeadersSecretRef.Name}},
		})
	}
	return env, envFrom
}

// probe checks an HTTP path of the sink. Readiness is probed every 2
// seconds: the sink is listening within a fraction of a second, and a first
// probe that comes too early must not hold a new sink out of Ready (and
// workloads out of it) for a whole 10-second period.
func probe(p string, periodSeconds int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: p, Port: intstr.FromString(PortQuery)},
		},
		PeriodSeconds:    periodSeconds,
		FailureThreshold: 3,
	}
}

// volumes: the configuration, a writable /tmp (the root file system is
// read-only) and, for sqlite, the claim.
func volumes(b *telemetryv1alpha1.TelemetryBackend) []corev1.Volume {
	v := []corev1.Volume{
		{Name: volumeConfig, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: ResourceName(b)},
		}}},
		{Name: volumeTmp, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	if b.Spec.SQLite != nil {
		v = append(v, corev1.Volume{Name: volumeData, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: PVCName(b)},
		}})
	}
	return v
}

func volumeMounts(b *telemetryv1alpha1.TelemetryBackend) []corev1.VolumeMount {
	m := []corev1.VolumeMount{
		{Name: volumeConfig, MountPath: ConfigDir, ReadOnly: true},
		{Name: volumeTmp, MountPath: "/tmp"},
	}
	if b.Spec.SQLite != nil {
		m = append(m, corev1.VolumeMount{Name: volumeData, MountPath: path.Dir(SQLitePath(&b.Spec))})
	}
	return m
}
