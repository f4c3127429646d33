package controllers

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	telemetryv1alpha1 "github.com/spark-dev/telemetry-operator/api/v1alpha1"
)

func TestNamesAreValidServiceNamesThatNeverCollide(t *testing.T) {
	long := strings.Repeat("a", 70)
	tests := []struct {
		backend, want string
	}{
		{"prod", "prod-sink"},
		{"team.prod", "team-prod-sink-"},
		{"1st", "x1st-sink-"},
		{long, strings.Repeat("a", 54) + "-"},
		{long + "b", strings.Repeat("a", 54) + "-"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.backend, func(t *testing.T) {
			b := &telemetryv1alpha1.TelemetryBackend{ObjectMeta: metav1.ObjectMeta{Name: tc.backend, Namespace: "ns"}}
			got := ResourceName(b)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("ResourceName(%q) = %q, want prefix %q", tc.backend, got, tc.want)
			}
			if errs := validation.IsDNS1035Label(got); len(errs) > 0 {
				t.Errorf("ResourceName(%q) = %q is no Service name: %v", tc.backend, got, errs)
			}
			if errs := validation.IsValidLabelValue(SelectorLabels(b)[LabelInstance]); len(errs) > 0 {
				t.Errorf("instance label of %q: %v", tc.backend, errs)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("%q and %q share the name %q", other, tc.backend, got)
			}
			seen[got] = tc.backend
		})
	}
}

func TestEndpointsAreFullServiceURLs(t *testing.T) {
	b := &telemetryv1alpha1.TelemetryBackend{ObjectMeta: metav1.ObjectMeta{Name: "prod", Namespace: "observability"}}
	want := telemetryv1alpha1.Endpoints{
		OTLPGRPC: "http://prod-sink.observability.svc:4317",
		OTLPHTTP: "http://prod-sink.observability.svc:4318",
		Query:    "http://prod-sink.observability.svc:8080",
	}
	if diff := cmp.Diff(want, Endpoints(b)); diff != "" {
		t.Errorf("Endpoints (-want +got):\n%s", diff)
	}
}
