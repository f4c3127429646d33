package inject

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDecide(t *testing.T) {
	ann := func(v string) map[string]string { return map[string]string{AnnotationInject: v} }
	tests := []struct {
		name    string
		pod, ns map[string]string
		want    Decision
		wantErr bool
	}{
		{"no annotation anywhere leaves the pod alone", nil, nil, Decision{}, false},
		{"true means the only backend of the pod's namespace", ann("true"), nil,
			Decision{OptedIn: true, Explicit: true, Source: "pod", Ref: Ref{Namespace: "team"}}, false},
		{"a name is looked up in the pod's namespace", ann("sink"), nil,
			Decision{OptedIn: true, Explicit: true, Source: "pod", Ref: Ref{Namespace: "team", Name: "sink"}}, false},
		{"namespace/name crosses namespaces", ann("shared/sink"), nil,
			Decision{OptedIn: true, Explicit: true, Source: "pod", Ref: Ref{Namespace: "shared", Name: "sink"}}, false},
		{"namespace opt-in applies to pods without the annotation", nil, ann("true"),
			Decision{OptedIn: true, Explicit: true, Source: "namespace", Ref: Ref{Namespace: "team"}}, false},
		{"pod false beats namespace true", ann("false"), ann("true"),
			Decision{Explicit: true, Source: "pod"}, false},
		{"pod name beats namespace name", ann("a"), ann("b"),
			Decision{OptedIn: true, Explicit: true, Source: "pod", Ref: Ref{Namespace: "team", Name: "a"}}, false},
		{"values are case-insensitive and trimmed", ann(" True "), nil,
			Decision{OptedIn: true, Explicit: true, Source: "pod", Ref: Ref{Namespace: "team"}}, false},
		{"too many slashes is an error", ann("a/b/c"), nil, Decision{Explicit: true, Source: "pod"}, true},
		{"an invalid name is an error", ann("Not_A_Name"), nil, Decision{Explicit: true, Source: "pod"}, true},
		{"an empty value is an error", ann(""), nil, Decision{Explicit: true, Source: "pod"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(tt.pod, tt.ns, "team")
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProtocol(t *testing.T) {
	tests := []struct {
		name    string
		pod, ns map[string]string
		want    string
		wantErr bool
	}{
		{"default is grpc", nil, nil, ProtocolGRPC, false},
		{"pod picks http/protobuf", map[string]string{AnnotationProtocol: "http/protobuf"}, nil, ProtocolHTTP, false},
		{"namespace applies when the pod says nothing", nil, map[string]string{AnnotationProtocol: "http/protobuf"}, ProtocolHTTP, false},
		{"pod beats namespace", map[string]string{AnnotationProtocol: "grpc"}, map[string]string{AnnotationProtocol: "http/protobuf"}, ProtocolGRPC, false},
		{"unknown protocol is an error", map[string]string{AnnotationProtocol: "http/json"}, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Protocol(tt.pod, tt.ns)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("protocol = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContainerNames(t *testing.T) {
	got := ContainerNames(map[string]string{AnnotationContainerNames: " app, ,sidecar "})
	if diff := cmp.Diff([]string{"app", "sidecar"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if got := ContainerNames(nil); got != nil {
		t.Errorf("without the annotation got %v, want nil (all containers)", got)
	}
}

func TestWorkloadAndServiceName(t *testing.T) {
	owned := func(kind, name string, labels map[string]string) *corev1.Pod {
		yes := true
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			GenerateName: name + "-", Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{Kind: kind, Name: name, Controller: &yes}},
		}}
	}
	hash := map[string]string{"pod-template-hash": "5d8f9c7b6"}
	tests := []struct {
		name        string
		pod         *corev1.Pod
		wantWL      Workload
		wantService string
	}{
		{"deployment pod strips the pod-template-hash", owned("ReplicaSet", "checkout-5d8f9c7b6", hash),
			Workload{Kind: "Deployment", Name: "checkout", Attributes: [][2]string{
				{"k8s.replicaset.name", "checkout-5d8f9c7b6"}, {"k8s.deployment.name", "checkout"}}}, "checkout"},
		{"bare replicaset keeps its name", owned("ReplicaSet", "rs", nil),
			Workload{Kind: "ReplicaSet", Name: "rs", Attributes: [][2]string{{"k8s.replicaset.name", "rs"}}}, "rs"},
		{"statefulset", owned("StatefulSet", "db", nil),
			Workload{Kind: "StatefulSet", Name: "db", Attributes: [][2]string{{"k8s.statefulset.name", "db"}}}, "db"},
		{"daemonset", owned("DaemonSet", "agent", nil),
			Workload{Kind: "DaemonSet", Name: "agent", Attributes: [][2]string{{"k8s.daemonset.name", "agent"}}}, "agent"},
		{"job", owned("Job", "migrate", nil),
			Workload{Kind: "Job", Name: "migrate", Attributes: [][2]string{{"k8s.job.name", "migrate"}}}, "migrate"},
		{"app.kubernetes.io/name wins over the workload", owned("StatefulSet", "db", map[string]string{"app.kubernetes.io/name": "postgres"}),
			Workload{Kind: "StatefulSet", Name: "db", Attributes: [][2]string{{"k8s.statefulset.name", "db"}}}, "postgres"},
		{"bare pod uses its name", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "debug"}}, Workload{}, "debug"},
		{"bare pod without a name uses generateName", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "tool-"}}, Workload{}, "tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := WorkloadOf(tt.pod)
			if diff := cmp.Diff(tt.wantWL, w); diff != "" {
				t.Errorf("workload (-want +got):\n%s", diff)
			}
			if got := ServiceName(tt.pod, w); got != tt.wantService {
				t.Errorf("service name = %q, want %q", got, tt.wantService)
			}
		})
	}
}
