package inject

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Workload is the object that runs the pod, as OpenTelemetry's k8s.*
// resource attributes name it.
type Workload struct {
	// Kind is Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or
	// CronJob; empty for a bare pod.
	Kind string
	// Name is the workload's name.
	Name string
	// Attributes are the k8s.<kind>.name attributes, such as
	// k8s.replicaset.name and k8s.deployment.name for a Deployment's pod.
	Attributes [][2]string
}

// attributeOf is the semantic-convention attribute of each owner kind.
var attributeOf = map[string]string{
	"Deployment":  "k8s.deployment.name",
	"ReplicaSet":  "k8s.replicaset.name",
	"StatefulSet": "k8s.statefulset.name",
	"DaemonSet":   "k8s.daemonset.name",
	"Job":         "k8s.job.name",
	"CronJob":     "k8s.cronjob.name",
}

// WorkloadOf derives the workload from the pod's controller reference
// without reading the API: a ReplicaSet named "<deployment>-<pod-template-hash>"
// belongs to that Deployment. Other kinds are taken as they are.
func WorkloadOf(pod *corev1.Pod) Workload {
	owner := metav1.GetControllerOf(pod)
	if owner == nil {
		return Workload{}
	}
	attr, known := attributeOf[owner.Kind]
	if !known {
		return Workload{Kind: owner.Kind, Name: owner.Name}
	}
	w := Workload{Kind: owner.Kind, Name: owner.Name, Attributes: [][2]string{{attr, owner.Name}}}
	hash := pod.Labels["pod-template-hash"]
	if owner.Kind == "ReplicaSet" && hash != "" && strings.HasSuffix(owner.Name, "-"+hash) {
		w.Kind, w.Name = "Deployment", strings.TrimSuffix(owner.Name, "-"+hash)
		w.Attributes = append(w.Attributes, [2]string{attributeOf["Deployment"], w.Name})
	}
	return w
}

// ServiceName is the app.kubernetes.io/name label, else the workload's name,
// else the pod's name (or its generateName prefix, since a pod made from a
// template has no name yet when it is admitted).
func ServiceName(pod *corev1.Pod, w Workload) string {
	if name := pod.Labels["app.kubernetes.io/name"]; name != "" {
		return name
	}
	if w.Name != "" {
		return w.Name
	}
	if pod.Name != "" {
		return pod.Name
	}
	return strings.TrimRight(pod.GenerateName, "-")
}
