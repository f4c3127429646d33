package controllers

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
	"github.com/spark-dev/telemetry-operator/internal/sink/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the builders")

// built is every object the builders make for a backend, by file suffix.
func built(t *testing.T, b *telemetryv1alpha1.TelemetryBackend) map[string]client.Object {
	t.Helper()
	c, err := SinkConfig(b)
	if err != nil {
		t.Fatalf("SinkConfig: %v", err)
	}
	cm, err := ConfigMap(b, c)
	if err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	in := DeploymentInputs{DefaultImage: "example.com/telemetry-operator:test", ConfigHash: ConfigHash(cm)}
	if len(SecretNames(b)) > 0 {
		in.SecretHash = "0123456789abcdef"
	}
	objs := map[string]client.Object{
		"serviceaccount": ServiceAccount(b),
		"configmap":      cm,
		"deployment":     Deployment(b, in),
		"service":        Service(b),
	}
	if pvc := PersistentVolumeClaim(b); pvc != nil {
		objs["pvc"] = pvc
	}
	return objs
}

func TestBuildersMatchGoldenFiles(t *testing.T) {
	for name, b := range fixtures() {
		for kind, obj := range built(t, b) {
			t.Run(name+"/"+kind, func(t *testing.T) {
				got, err := yaml.Marshal(obj)
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+"-"+kind+".yaml")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./controllers -run TestBuildersMatchGoldenFiles -update)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s differs from the builder (-golden +built):\n%s", golden, diff)
				}
			})
		}
	}
}

func TestPVCOnlyForSQLite(t *testing.T) {
	for name, b := range fixtures() {
		t.Run(name, func(t *testing.T) {
			if got, want := PersistentVolumeClaim(b) != nil, b.Spec.Type == telemetryv1alpha1.TypeSQLite; got != want {
				t.Errorf("PVC built = %v, want %v", got, want)
			}
		})
	}
}

func TestConfigMapRoundTripsThroughTheSinkParser(t *testing.T) {
	for name, b := range fixtures() {
		t.Run(name, func(t *testing.T) {
			want, err := SinkConfig(b)
			if err != nil {
				t.Fatal(err)
			}
			cm, err := ConfigMap(b, want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := config.Parse([]byte(cm.Data[config.FileName]))
			if err != nil {
				t.Fatalf("the sink refuses the rendered configuration: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parsed configuration differs (-rendered +parsed):\n%s", diff)
			}
		})
	}
}

func TestConfigMapNeverHoldsSecretNames(t *testing.T) {
	for name, b := range fixtures() {
		t.Run(name, func(t *testing.T) {
			c, _ := SinkConfig(b)
			cm, err := ConfigMap(b, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range SecretNames(b) {
				if strings.Contains(cm.Data[config.FileName], s) {
					t.Errorf("ConfigMap mentions Secret %q:\n%s", s, cm.Data[config.FileName])
				}
			}
		})
	}
}
