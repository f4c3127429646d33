package controllers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsyaml "sigs.k8s.io/yaml"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

// backendFromYAML is a TelemetryBackend exactly as a user would apply it.
func backendFromYAML(t *testing.T, ns, name, spec string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	var s map[string]any
	if err := sigsyaml.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatalf("bad test spec: %v", err)
	}
	u.Object = map[string]any{"spec": s}
	u.SetAPIVersion(telemetryv1alpha1.GroupVersion.String())
	u.SetKind("TelemetryBackend")
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func TestInvalidBackendsAreRefusedWithTheFieldToFix(t *testing.T) {
	ns := newNamespace(t)
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"no type", `{memory: {}}`, []string{"spec.type", "Required value"}},
		{"unknown type", `{type: redis}`, []string{"spec.type", `supported values: "memory", "sqlite", "postgresql", "otlp"`}},
		{"memory without its block", `{type: memory}`, []string{"spec.memory", "memory must be set when type is memory"}},
		{"sqlite with another type's block", `{type: sqlite, sqlite: {}, memory: {}}`, []string{"spec.memory", "and only then"}},
		{"postgresql without its block", `{type: postgresql}`, []string{"spec.postgresql", "connectionSecretRef"}},
		{"otlp without its block", `{type: otlp}`, []string{"spec.otlp", "must be set when type is otlp"}},
		{"sampling rate above 1", `{type: memory, memory: {}, sampling: {rate: "1.5"}}`, []string{"spec.sampling.rate", "between 0 and 1"}},
		{"negative sampling rate", `{type: memory, memory: {}, sampling: {rate: "-0.1"}}`, []string{"spec.sampling.rate", "between 0 and 1"}},
		{"sampling rate not a number", `{type: memory, memory: {}, sampling: {rate: "half"}}`, []string{"spec.sampling.rate", "decimal number"}},
		{"buffer size zero", `{type: memory, memory: {}, buffer: {size: 0}}`, []string{"spec.buffer.size", "greater than or equal to 1"}},
		{"export interval zero", `{type: memory, memory: {}, buffer: {exportInterval: 0s}}`, []string{"spec.buffer.exportInterval", "positive duration"}},
		{"export interval not a duration", `{type: memory, memory: {}, buffer: {exportInterval: 5 seconds}}`, []string{"spec.buffer.exportInterval", "such as 5s"}},
		{"queue smaller than a batch", `{type: memory, memory: {}, buffer: {size: 100, maxQueue: 10}}`, []string{"spec.buffer.maxQueue", "at least buffer.size"}},
		{"batch larger than the default queue", `{type: memory, memory: {}, buffer: {size: 200000}}`, []string{"spec.buffer.maxQueue", "raise buffer.maxQueue"}},
		{"sqlite with two replicas", `{type: sqlite, sqlite: {}, sink: {replicas: 2}}`, []string{"spec.sink.replicas", "SQLite has one writer"}},
		{"memory with three replicas", `{type: memory, memory: {}, sink: {replicas: 3}}`, []string{"spec.sink.replicas", "use postgresql or otlp"}},
		{"otlp endpoint without scheme", `{type: otlp, otlp: {endpoint: "tempo:4317"}}`, []string{"spec.otlp.endpoint", "http:// or https:// URL"}},
		{"otlp endpoint with another scheme", `{type: otlp, otlp: {endpoint: "ftp://tempo:4317"}}`, []string{"spec.otlp.endpoint", "http:// or https:// URL"}},
		{"otlp without endpoint", `{type: otlp, otlp: {protocol: grpc}}`, []string{"spec.otlp.endpoint", "Required value"}},
		{"unknown otlp protocol", `{type: otlp, otlp: {endpoint: "http://tempo:4317", protocol: thrift}}`, []string{"spec.otlp.protocol", `"grpc", "http/protobuf"`}},
		{"negative otlp timeout", `{type: otlp, otlp: {endpoint: "http://tempo:4317", timeout: -1s}}`, []string{"spec.otlp.timeout", "positive duration"}},
		{"retention on otlp", `{type: otlp, otlp: {endpoint: "http://tempo:4317"}, retention: {maxAge: 24h}}`, []string{"spec.retention.maxAge", "export-only"}},
		{"secret ref without name", `{type: postgresql, postgresql: {connectionSecretRef: {name: ""}}}`, []string{"spec.postgresql.connectionSecretRef.name", "at least 1 chars"}},
		{"relative sqlite path", `{type: sqlite, sqlite: {path: telemetry.db}}`, []string{"spec.sqlite.path", "absolute file path"}},
		{"sqlite path in /tmp", `{type: sqlite, sqlite: {path: /tmp/telemetry.db}}`, []string{"spec.sqlite.path", "other than /, /tmp"}},
		{"memory bound zero", `{type: memory, memory: {maxTraces: 0}}`, []string{"spec.memory.maxTraces", "greater than or equal to 1"}},
		{"unknown pull policy", `{type: memory, memory: {}, sink: {imagePullPolicy: Sometimes}}`, []string{"spec.sink.imagePullPolicy", `"Always", "IfNotPresent", "Never"`}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := k8s.Create(context.Background(), backendFromYAML(t, ns, fmt.Sprintf("invalid-%d", i), tc.spec))
			if err == nil {
				t.Fatalf("the API server accepted %s", tc.spec)
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestImmutableFieldsCannotChange(t *testing.T) {
	ns := newNamespace(t)
	tests := []struct {
		name   string
		typ    telemetryv1alpha1.BackendType
		change func(b *telemetryv1alpha1.TelemetryBackend)
		want   []string
	}{
		{"type", telemetryv1alpha1.TypeMemory, func(b *telemetryv1alpha1.TelemetryBackend) {
			b.Spec.Type, b.Spec.Memory, b.Spec.SQLite = telemetryv1alpha1.TypeSQLite, nil, &telemetryv1alpha1.SQLiteSpec{}
		}, []string{"spec.type", "create a new TelemetryBackend"}},
		{"storage class", telemetryv1alpha1.TypeSQLite, func(b *telemetryv1alpha1.TelemetryBackend) {
			b.Spec.SQLite.Storage.StorageClassName = ptr.To("slow")
		}, []string{"spec.sqlite.storage.storageClassName", "cannot change"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := minimal(ns, "immutable-"+string(tc.typ), tc.typ)
			if tc.typ == telemetryv1alpha1.TypeSQLite {
				b.Spec.SQLite.Storage.StorageClassName = ptr.To("fast")
			}
			create(t, b)
			tc.change(b)
			err := k8s.Update(context.Background(), b)
			if err == nil {
				t.Fatal("the API server accepted the change")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestSamplesAreAccepted(t *testing.T) {
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "telemetry_*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("want at least 5 samples, found %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
			for {
				u := &unstructured.Unstructured{}
				if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				u.SetNamespace(ns)
				if err := k8s.Create(context.Background(), u, client.DryRunAll); err != nil {
					t.Errorf("%s %s refused: %v", u.GetKind(), u.GetName(), err)
				}
			}
		})
	}
}
