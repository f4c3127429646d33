package controllers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// yamlBlock is a fenced YAML block of a Markdown page.
var yamlBlock = regexp.MustCompile("(?ms)^[ \t]*```yaml\n(.*?)^[ \t]*```")

// The manifests the README and docs/ show are applied by readers as they
// are: each must be accepted by the API server under kubectl's strict field
// validation (a server-side dry run, in a test namespace).
func TestDocumentedManifestsAreAccepted(t *testing.T) {
	ns := newNamespace(t)
	pages, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"))
	found := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range yamlBlock.FindAllSubmatch(data, -1) {
			dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(dedent(m[1])), 4096)
			for {
				u := &unstructured.Unstructured{}
				if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("%s: %v", page, err)
				}
				found++
				u.SetNamespace(ns)
				err := k8s.Create(context.Background(), u, client.DryRunAll, client.FieldValidation("Strict"))
				if err != nil {
					t.Errorf("%s: %s %s refused: %v", filepath.Base(page), u.GetKind(), u.GetName(), err)
				}
			}
		}
	}
	if found < 2 {
		t.Fatalf("found %d documented manifests; want the README's backend and the migration Job", found)
	}
}

// dedent removes the indentation of a block nested in a list item.
func dedent(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	indent := -1
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		n := len(l) - len(bytes.TrimLeft(l, " "))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return bytes.Join(lines, []byte("\n"))
}
