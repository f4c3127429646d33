package controllers

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

// Port names, shared by the container and the Service.
const (
	PortOTLPGRPC = "otlp-grpc"
	PortOTLPHTTP = "otlp-http"
	PortQuery    = "query"
)

// Service exposes the OTLP receivers and the query API (which also serves
// health and Prometheus metrics) of a backend's sink pods.
func Service(b *telemetryv1alpha1.TelemetryBackend) *corev1.Service {
	port := func(name string, number int32, appProtocol string) corev1.ServicePort {
		return corev1.ServicePort{
			Name: name, Port: number, TargetPort: intstr.FromString(name),
			Protocol: corev1.ProtocolTCP, AppProtocol: &appProtocol,
		}
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(b, ResourceName(b), ComponentSink),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: SelectorLabels(b),
			Ports: []corev1.ServicePort{
				port(PortOTLPGRPC, config.GRPCPort, "grpc"),
				port(PortOTLPHTTP, config.HTTPPort, "http"),
				port(PortQuery, config.QueryPort, "http"),
			},
		},
	}
}
