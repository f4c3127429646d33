// Package chart tests the Helm chart by rendering it with the Helm SDK, as
// `helm install` would, and checking the objects it makes.
package chart

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	chartDir  = "../../charts/telemetry-operator"
	release   = "telemetry-operator"
	releaseNS = "telemetry-system"
)

// rendered is the chart's output, indexed by "Kind/name".
type rendered map[string]*unstructured.Unstructured

// render renders the chart with values merged over its defaults.
func render(t *testing.T, values map[string]any) (rendered, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	opts := chartutil.ReleaseOptions{Name: release, Namespace: releaseNS, IsInstall: true}
	vals, err := chartutil.ToRenderValues(chrt, values, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(chrt, vals)
	if err != nil {
		return nil, err
	}
	return parse(t, files), nil
}

func mustRender(t *testing.T, values map[string]any) rendered {
	t.Helper()
	r, err := render(t, values)
	if err != nil {
		t.Fatalf("rendering: %v", err)
	}
	return r
}

func parse(t *testing.T, files map[string]string) rendered {
	t.Helper()
	out := rendered{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewBufferString(files[name])))
		for {
			doc, err := docs.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// Through JSON so that numbers decode as int64, as the API server's do.
			js, err := yaml.YAMLToJSON(doc)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, doc)
			}
			if len(bytes.TrimSpace(js)) == 0 || string(js) == "null" {
				continue
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, doc)
			}
			key := u.GetKind() + "/" + u.GetName()
			if _, dup := out[key]; dup {
				t.Fatalf("%s rendered twice", key)
			}
			out[key] = u
		}
	}
	return out
}

func (r rendered) get(t *testing.T, key string) *unstructured.Unstructured {
	t.Helper()
	u, ok := r[key]
	if !ok {
		t.Fatalf("%s not rendered; have %v", key, r.keys())
	}
	return u
}

func (r rendered) keys() []string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// containerArgs returns the manager container's args.
func containerArgs(t *testing.T, r rendered) []string {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(r.get(t, "Deployment/"+release).Object, "spec", "template", "spec", "containers")
	args, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
	return args
}

func repoFile(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}
