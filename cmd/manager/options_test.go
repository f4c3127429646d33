package main

import (
	"flag"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/controllers"
)

func parse(t *testing.T, args ...string) *options {
	t.Helper()
	o := &options{}
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	o.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestWatchNamespacesFromFlagOrEnvironment(t *testing.T) {
	tests := []struct {
		name, env string
		args      []string
		want      []string
	}{
		{name: "all namespaces by default"},
		{name: "environment", env: "team-a, team-b", want: []string{"team-a", "team-b"}},
		{name: "flag wins", env: "team-a", args: []string{"--watch-namespaces=ops,,"}, want: []string{"ops"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envWatchNamespaces, tc.env)
			o := parse(t, tc.args...)
			if diff := cmp.Diff(tc.want, o.namespaces()); diff != "" {
				t.Errorf("namespaces (-want +got):\n%s", diff)
			}
			opts := o.managerOptions()
			if got := len(opts.Cache.DefaultNamespaces); got != len(tc.want) {
				t.Errorf("cache watches %d namespaces, want %d", got, len(tc.want))
			}
		})
	}
}

func TestSinkImageFromFlagOrEnvironment(t *testing.T) {
	tests := []struct {
		name, env string
		args      []string
		want      string
	}{
		{name: "default", want: controllers.DefaultSinkImage},
		{name: "environment", env: "example.com/sink:1", want: "example.com/sink:1"},
		{name: "flag wins", env: "example.com/sink:1", args: []string{"--sink-image=example.com/sink:2"}, want: "example.com/sink:2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envSinkImage, tc.env)
			if got := parse(t, tc.args...).sinkImage; got != tc.want {
				t.Errorf("sink image %q, want %q", got, tc.want)
			}
		})
	}
}
