package certs

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	testNames = DNSNames("webhook", "system")
	testLife  = lifetimes{ca: 300 * 24 * time.Hour, serving: 90 * 24 * time.Hour}
	t0        = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

// verifies reports whether b's serving certificate chains to its CA bundle
// for the first DNS name at now.
func verifies(t *testing.T, b *Bundle, now time.Time) bool {
	t.Helper()
	leaf, err := parseCert(b.Cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b.CABundle)
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: testNames[0], Roots: pool, CurrentTime: now})
	return err == nil
}

// countCerts counts the PEM certificates in a bundle.
func countCerts(bundle []byte) int {
	return bytes.Count(bundle, []byte("BEGIN CERTIFICATE"))
}

func TestPlan(t *testing.T) {
	fresh, _, err := plan(nil, testNames, t0, testLife)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := *fresh
	corrupt.CAKey = []byte("not a key")
	corrupt.Cert = nil

	type outcome struct {
		Changed, SameCA, SameCert, Verifies bool
		BundleCerts                         int
	}
	tests := []struct {
		name  string
		cur   *Bundle
		names []string
		now   time.Time
		want  outcome
	}{
		{"nothing stored creates CA and serving", nil, testNames, t0,
			outcome{Changed: true, Verifies: true, BundleCerts: 1}},
		{"valid bundle is kept", fresh, testNames, t0.Add(50 * 24 * time.Hour),
			outcome{SameCA: true, SameCert: true, Verifies: true, BundleCerts: 1}},
		{"serving with under a third left is re-issued by the same CA", fresh, testNames, t0.Add(70 * 24 * time.Hour),
			outcome{Changed: true, SameCA: true, Verifies: true, BundleCerts: 1}},
		{"renamed service gets a new serving certificate", fresh, DNSNames("other", "system"), t0,
			outcome{Changed: true, SameCA: true, Verifies: false, BundleCerts: 1}},
		{"expiring CA is replaced and the old one stays trusted", fresh, testNames, t0.Add(250 * 24 * time.Hour),
			outcome{Changed: true, Verifies: true, BundleCerts: 2}},
		{"CA that cannot sign is replaced", &corrupt, testNames, t0,
			outcome{Changed: true, Verifies: true, BundleCerts: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed, err := plan(tt.cur, tt.names, tt.now, testLife)
			if err != nil {
				t.Fatal(err)
			}
			o := outcome{Changed: changed, Verifies: verifies(t, got, tt.now), BundleCerts: countCerts(got.CABundle)}
			if tt.cur != nil {
				o.SameCA = bytes.Equal(got.CACert, tt.cur.CACert)
				o.SameCert = bytes.Equal(got.Cert, tt.cur.Cert)
			}
			if diff := cmp.Diff(tt.want, o); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCABundleDropsExpiredCAs(t *testing.T) {
	oldCA, _, err := newCA("old", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	newer, _, err := newCA("new", t0, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := countCerts(caBundle(newer, oldCA, t0)); got != 2 {
		t.Errorf("while the old CA is valid the bundle has %d certificates, want 2", got)
	}
	if got := countCerts(caBundle(newer, append(bytes.Clone(oldCA), newer...), t0.Add(2*time.Hour))); got != 1 {
		t.Errorf("after the old CA expired the bundle has %d certificates, want 1", got)
	}
}
