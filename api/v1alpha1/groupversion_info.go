// Package v1alpha1 holds the telemetry.spark.dev/v1alpha1 API: the
// TelemetryBackend kind, through which a cluster user declares a telemetry
// sink.
// +kubebuilder:object:generate=true
// +groupName=telemetry.spark.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of this API.
	GroupVersion = schema.GroupVersion{Group: "telemetry.spark.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the API's types with a runtime.Scheme. It
	// comes from apimachinery alone, so that importing the API pulls in no
	// controller-runtime.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the API's types to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &TelemetryBackend{}, &TelemetryBackendList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
