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

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/util/retry"
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

// updateSpec applies change to the stored backend and updates it, again on
// a conflict: the reconciler writes status concurrently, and only the API
// server's answer to the change itself matters here.
func updateSpec(b *telemetryv1alpha1.TelemetryBackend, change func(b *telemetryv1alpha1.TelemetryBackend)) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(b), b); err != nil {
			return err
		}
		change(b)
		return k8s.Update(context.Background(), b)
	})
}

func TestImmutableFieldsCannotChange(t *testing.T) {
	ns := newNamespace(t)
	setClass := func(class *string) func(b *telemetryv1alpha1.TelemetryBackend) {
		return func(b *telemetryv1alpha1.TelemetryBackend) { b.Spec.SQLite.Storage.StorageClassName = class }
	}
	classWanted := []string{"spec.sqlite.storage.storageClassName", "cannot be added, removed or changed",
		"create a new TelemetryBackend"}
	tests := []struct {
		name   string
		typ    telemetryv1alpha1.BackendType
		class  *string // the sqlite backend's class at creation
		change func(b *telemetryv1alpha1.TelemetryBackend)
		want   []string
	}{
		{"type", telemetryv1alpha1.TypeMemory, nil, func(b *telemetryv1alpha1.TelemetryBackend) {
			b.Spec.Type, b.Spec.Memory, b.Spec.SQLite = telemetryv1alpha1.TypeSQLite, nil, &telemetryv1alpha1.SQLiteSpec{}
		}, []string{"spec.type", "create a new TelemetryBackend"}},
		{"storage class changed", telemetryv1alpha1.TypeSQLite, ptr.To("fast"), setClass(ptr.To("slow")), classWanted},
		{"storage class removed", telemetryv1alpha1.TypeSQLite, ptr.To("fast"), setClass(nil), classWanted},
		{"storage class added to a backend created without storage", telemetryv1alpha1.TypeSQLite, nil,
			setClass(ptr.To("slow")), classWanted},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := minimal(ns, fmt.Sprintf("immutable-%d", i), tc.typ)
			if tc.typ == telemetryv1alpha1.TypeSQLite {
				b.Spec.SQLite.Storage.StorageClassName = tc.class
			}
			create(t, b)
			err := updateSpec(b, tc.change)
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

func TestSQLiteStorageAcceptsChangesThatKeepTheClass(t *testing.T) {
	ns := newNamespace(t)
	for i, class := range []*string{nil, ptr.To("fast")} {
		b := minimal(ns, fmt.Sprintf("keeps-class-%d", i), telemetryv1alpha1.TypeSQLite)
		b.Spec.SQLite.Storage.StorageClassName = class
		create(t, b)
		err := updateSpec(b, func(b *telemetryv1alpha1.TelemetryBackend) {
			b.Spec.SQLite.Storage.Size = ptr.To(resource.MustParse("2Gi"))
			b.Spec.Sampling.Rate = "0.5"
		})
		if err != nil {
			t.Errorf("class %v: growing the volume and changing sampling was refused: %v", class, err)
		}
	}
}

// The spec has no field for a PostgreSQL URL: connectionSecretRef is
// required, and a url given in its place is an unknown field, refused under
// strict field validation (kubectl's default) and pruned under the API
// server's default (a warning), never stored.
func TestPostgreSQLURLIsNeverStoredInTheSpec(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	const url = `url: "postgresql://user:secret@db:5432/telemetry"`

	err := k8s.Create(ctx, backendFromYAML(t, ns, "url-only", `{type: postgresql, postgresql: {`+url+`}}`))
	if err == nil || !strings.Contains(err.Error(), "spec.postgresql.connectionSecretRef: Required value") {
		t.Errorf("a url without connectionSecretRef: want connectionSecretRef required, got %v", err)
	}

	withRef := `{type: postgresql, postgresql: {connectionSecretRef: {name: db}, ` + url + `}}`
	err = k8s.Create(ctx, backendFromYAML(t, ns, "url-strict", withRef), client.FieldValidation("Strict"))
	if err == nil || !strings.Contains(err.Error(), `unknown field "spec.postgresql.url"`) {
		t.Errorf("strict field validation: want unknown field spec.postgresql.url, got %v", err)
	}

	u := backendFromYAML(t, ns, "url-pruned", withRef)
	if err := k8s.Create(ctx, u); err != nil {
		t.Fatalf("default field validation: %v", err)
	}
	got, _, _ := unstructured.NestedMap(u.Object, "spec", "postgresql")
	if _, stored := got["url"]; stored {
		t.Errorf("the url was stored: %v", got)
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
