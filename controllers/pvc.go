package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// defaultStorageSize matches the API's default for spec.sqlite.storage.size.
var defaultStorageSize = resource.MustParse("1Gi")

// PersistentVolumeClaim holds a sqlite backend's database file; nil for the
// other types. It is owned by the backend, so deleting the backend deletes
// the data.
func PersistentVolumeClaim(b *telemetryv1alpha1.TelemetryBackend) *corev1.PersistentVolumeClaim {
	if b.Spec.SQLite == nil {
		return nil
	}
	size := defaultStorageSize
	if s := b.Spec.SQLite.Storage.Size; s != nil {
		size = *s
	}
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: objectMeta(b, PVCName(b), ComponentStorage),
		Spec: corev1.PersistentVolumeClaimSpec{
			// One pod writes at a time (strategy Recreate), so one node suffices.
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: b.Spec.SQLite.Storage.StorageClassName,
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: size},
			},
		},
	}
}
