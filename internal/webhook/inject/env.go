package inject

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Downward-API variables that OTEL_RESOURCE_ATTRIBUTES references as
// $(NAME); Kubernetes expands them in the container because they come
// earlier in its env.
const (
	EnvNamespace = "OTEL_K8S_NAMESPACE"
	EnvPodName   = "OTEL_K8S_POD_NAME"
	EnvPodUID    = "OTEL_K8S_POD_UID"
	EnvNodeName  = "OTEL_K8S_NODE_NAME"
)

// sdkDefaultQueue is the SDKs' default OTEL_BSP_MAX_QUEUE_SIZE; a batch may
// not exceed the queue, so larger batches raise the queue with them.
const sdkDefaultQueue = 2048

// group is variables set together or not at all: setting only the protocol
// next to a user's own endpoint, or a ratio next to a user's own sampler,
// would change what the user configured. helpers go first, each only where
// absent, and only when set goes in (the downward-API variables that
// OTEL_RESOURCE_ATTRIBUTES references).
type group struct {
	helpers []corev1.EnvVar
	set     []corev1.EnvVar
}

// vars makes a group without helpers.
func vars(set ...corev1.EnvVar) group { return group{set: set} }

// ContainerEnv returns the variables to append to container c (in this
// order) so that it reports to s, leaving alone every variable c already
// sets (in env, or through envFrom as listed in provided).
func ContainerEnv(c *corev1.Container, s Settings, service string, w Workload, provided map[string]bool) []corev1.EnvVar {
	present := maps.Clone(provided)
	if present == nil {
		present = map[string]bool{}
	}
	for _, e := range c.Env {
		present[e.Name] = true
	}
	isPresent := func(e corev1.EnvVar) bool { return present[e.Name] }
	var out []corev1.EnvVar
	for _, g := range groups(c.Name, s, service, w) {
		if slices.ContainsFunc(g.set, isPresent) {
			continue
		}
		for _, h := range g.helpers {
			if !isPresent(h) {
				out = append(out, h)
			}
		}
		out = append(out, g.set...)
	}
	return out
}

// groups lists every variable the SDK needs, grouped by what must agree.
func groups(container string, s Settings, service string, w Workload) []group {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	batch := strconv.Itoa(int(s.BatchSize))
	gs := []group{
		vars(value("OTEL_EXPORTER_OTLP_ENDPOINT", s.Endpoint), value("OTEL_EXPORTER_OTLP_PROTOCOL", s.Protocol)),
		vars(value("OTEL_SERVICE_NAME", service)),
		{
			helpers: []corev1.EnvVar{
				field(EnvNamespace, "metadata.namespace"), field(EnvPodName, "metadata.name"),
				field(EnvPodUID, "metadata.uid"), field(EnvNodeName, "spec.nodeName"),
			},
			set: []corev1.EnvVar{value("OTEL_RESOURCE_ATTRIBUTES", resourceAttributes(container, w, s.Metadata))},
		},
		vars(value("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), value("OTEL_TRACES_SAMPLER_ARG", s.SamplingRate)),
		vars(value("OTEL_BSP_SCHEDULE_DELAY", ms(s.ExportInterval))),
		vars(value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", batch)),
		vars(value("OTEL_BLRP_SCHEDULE_DELAY", ms(s.ExportInterval))),
		vars(value("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", batch)),
		vars(value("OTEL_METRIC_EXPORT_INTERVAL", ms(s.ExportInterval))),
	}
	if s.BatchSize > sdkDefaultQueue {
		gs = append(gs, vars(value("OTEL_BSP_MAX_QUEUE_SIZE", batch)), vars(value("OTEL_BLRP_MAX_QUEUE_SIZE", batch)))
	}
	for _, off := range []struct {
		on  bool
		env string
	}{{s.Traces, "OTEL_TRACES_EXPORTER"}, {s.Metrics, "OTEL_METRICS_EXPORTER"}, {s.Events || s.Logs, "OTEL_LOGS_EXPORTER"}} {
		if !off.on {
			gs = append(gs, vars(value(off.env, "none")))
		}
	}
	return gs
}

// resourceAttributes is OTEL_RESOURCE_ATTRIBUTES: the pod's identity from the
// downward API, the container, the workload, then the backend's metadata
// (sorted, and never replacing a k8s.* attribute set above).
func resourceAttributes(container string, w Workload, metadata map[string]string) string {
	pairs := [][2]string{
		{"k8s.namespace.name", "$(" + EnvNamespace + ")"},
		{"k8s.pod.name", "$(" + EnvPodName + ")"},
		{"k8s.pod.uid", "$(" + EnvPodUID + ")"},
		{"k8s.node.name", "$(" + EnvNodeName + ")"},
		{"k8s.container.name", container},
	}
	pairs = append(pairs, w.Attributes...)
	seen := map[string]bool{}
	for _, p := range pairs {
		seen[p[0]] = true
	}
	for _, k := range slices.Sorted(maps.Keys(metadata)) {
		if !seen[k] {
			pairs = append(pairs, [2]string{k, metadata[k]})
		}
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = escape(p[0]) + "=" + escapeValue(p[1])
	}
	return strings.Join(parts, ",")
}

// escapeValue percent-encodes a value but keeps $(VAR) references intact.
func escapeValue(v string) string {
	if strings.HasPrefix(v, "$(") && strings.HasSuffix(v, ")") {
		return v
	}
	return escape(v)
}

// escape percent-encodes everything but unreserved URL characters, as the
// OTEL_RESOURCE_ATTRIBUTES format requires for ',', '=' and spaces. It does
// not use '+' for space, which some SDKs would decode literally.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/:", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func value(name, v string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: v} }

func field(name, path string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path},
	}}
}
