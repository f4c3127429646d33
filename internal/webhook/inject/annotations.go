// Package inject decides whether a pod opted into telemetry and computes the
// OpenTelemetry SDK environment it gets from a TelemetryBackend. Everything
// here is a pure function of the pod, its namespace and the backend, so the
// admission handler only fetches objects and records the outcome.
package inject

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Annotations a user sets (on the pod template or the namespace) and those
// the webhook writes on the pod.
const (
	// AnnotationInject opts in: "true" (the only TelemetryBackend in the
	// pod's namespace), "<name>", "<namespace>/<name>", or "false".
	AnnotationInject = "telemetry.spark.dev/inject"
	// AnnotationContainerNames narrows injection to these comma-separated
	// containers.
	AnnotationContainerNames = "telemetry.spark.dev/container-names"
	// AnnotationProtocol picks the OTLP protocol: "grpc" (default) or
	// "http/protobuf".
	AnnotationProtocol = "telemetry.spark.dev/protocol"
	// AnnotationStatus is the outcome: "injected", "skipped: <reason>" or
	// "error: <reason>".
	AnnotationStatus = "telemetry.spark.dev/injection-status"
	// AnnotationBackend names the backend injected, as namespace/name.
	AnnotationBackend = "telemetry.spark.dev/injected-backend"
)

// Protocols the SDKs understand in OTEL_EXPORTER_OTLP_PROTOCOL.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Ref names the backend a pod asked for. An empty Name means "the only
// TelemetryBackend in Namespace".
type Ref struct {
	Namespace string
	Name      string
}

// String is the ref as users write it.
func (r Ref) String() string {
	if r.Name == "" {
		return r.Namespace + "/<only backend>"
	}
	return r.Namespace + "/" + r.Name
}

// Decision is what the annotations ask for.
type Decision struct {
	// OptedIn is false when neither the pod nor its namespace opted in, or
	// when the annotation that wins says "false".
	OptedIn bool
	// Explicit is true when some annotation was set, so a pod that opted
	// out still gets a status explaining why nothing was injected.
	Explicit bool
	// Source is "pod" or "namespace": where the winning annotation was.
	Source string
	// Ref is the backend asked for, when OptedIn.
	Ref Ref
}

// Decide reads the inject annotation of the pod, else of its namespace: a pod
// annotation, whatever its value, wins over the namespace's.
func Decide(podAnnotations, nsAnnotations map[string]string, podNamespace string) (Decision, error) {
	value, source := podAnnotations[AnnotationInject], "pod"
	if _, ok := podAnnotations[AnnotationInject]; !ok {
		value, source = nsAnnotations[AnnotationInject], "namespace"
		if _, ok := nsAnnotations[AnnotationInject]; !ok {
			return Decision{}, nil
		}
	}
	d := Decision{Explicit: true, Source: source}
	value = strings.TrimSpace(value)
	switch {
	case strings.EqualFold(value, "false"):
		return d, nil
	case strings.EqualFold(value, "true"):
		d.OptedIn, d.Ref = true, Ref{Namespace: podNamespace}
		return d, nil
	}
	ref, err := parseRef(value, podNamespace)
	if err != nil {
		return d, fmt.Errorf("%s annotation %s=%q: %w", source, AnnotationInject, value, err)
	}
	d.OptedIn, d.Ref = true, ref
	return d, nil
}

// parseRef reads "<name>" or "<namespace>/<name>".
func parseRef(value, podNamespace string) (Ref, error) {
	parts := strings.Split(value, "/")
	if len(parts) > 2 {
		return Ref{}, fmt.Errorf(`want "true", "false", "<name>" or "<namespace>/<name>"`)
	}
	ref := Ref{Namespace: podNamespace, Name: parts[len(parts)-1]}
	if len(parts) == 2 {
		ref.Namespace = parts[0]
	}
	for _, s := range []string{ref.Namespace, ref.Name} {
		if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
			return Ref{}, fmt.Errorf("%q is not a valid name: %s", s, strings.Join(errs, "; "))
		}
	}
	return ref, nil
}

// Protocol returns the OTLP protocol asked for by the pod, else by the
// namespace, else gRPC.
func Protocol(podAnnotations, nsAnnotations map[string]string) (string, error) {
	value, ok := podAnnotations[AnnotationProtocol]
	if !ok {
		value, ok = nsAnnotations[AnnotationProtocol]
	}
	switch value = strings.TrimSpace(value); {
	case !ok || value == "" || value == ProtocolGRPC:
		return ProtocolGRPC, nil
	case value == ProtocolHTTP || value == "http":
		return ProtocolHTTP, nil
	}
	return "", fmt.Errorf("annotation %s=%q: want %q or %q", AnnotationProtocol, value, ProtocolGRPC, ProtocolHTTP)
}

// ContainerNames returns the containers the pod narrowed injection to, or
// nil for all of them.
func ContainerNames(podAnnotations map[string]string) []string {
	var names []string
	for n := range strings.SplitSeq(podAnnotations[AnnotationContainerNames], ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}
