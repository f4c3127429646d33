package certs

import (
	"crypto/x509"
	"fmt"
	"time"
)

// Secret data keys. tls.crt and tls.key follow the kubernetes.io/tls
// convention so the Secret can also be mounted as-is.
const (
	keyCert     = "tls.crt"
	keyKey      = "tls.key"
	keyCACert   = "ca.crt"
	keyCAKey    = "ca.key"
	keyCABundle = "ca-bundle.crt"
)

// lifetimes are the validities of the certificates the operator issues.
type lifetimes struct {
	ca      time.Duration
	serving time.Duration
}

// plan returns the bundle that should be stored given the current one (nil
// when there is none), and whether it differs. It keeps a healthy CA and
// re-issues only what is expiring, misnamed or no longer chains to the CA; a
// CA that is expiring or cannot sign is replaced together with the serving
// certificate.
func plan(cur *Bundle, dnsNames []string, now time.Time, l lifetimes) (*Bundle, bool, error) {
	if cur != nil && !needsRenewal(cur.CACert, now) {
		if servingValid(cur, dnsNames, now) {
			return cur, false, nil
		}
		bundle := caBundle(cur.CACert, cur.CABundle, now)
		if b, err := issue(cur.CACert, cur.CAKey, bundle, dnsNames, now, l.serving); err == nil {
			return b, true, nil
		}
	}
	var previous []byte
	if cur != nil {
		previous = cur.CABundle
	}
	caCert, caKey, err := newCA("telemetry-operator-webhook-ca", now, l.ca)
	if err != nil {
		return nil, false, fmt.Errorf("creating CA: %w", err)
	}
	b, err := issue(caCert, caKey, caBundle(caCert, previous, now), dnsNames, now, l.serving)
	return b, err == nil, err
}

// issue signs a new serving certificate with the given CA into a Bundle.
func issue(caCert, caKey, bundle []byte, dnsNames []string, now time.Time, validity time.Duration) (*Bundle, error) {
	cert, key, err := newServing(caCert, caKey, dnsNames, now, validity)
	if err != nil {
		return nil, fmt.Errorf("creating serving certificate: %w", err)
	}
	return &Bundle{CACert: caCert, CAKey: caKey, Cert: cert, Key: key, CABundle: bundle}, nil
}

// servingValid reports whether cur's serving certificate can stay: fresh,
// for the right names, and verifiable with cur's CA bundle.
func servingValid(cur *Bundle, dnsNames []string, now time.Time) bool {
	if needsRenewal(cur.Cert, now) || !coversNames(cur.Cert, dnsNames) {
		return false
	}
	leaf, err := parseCert(cur.Cert)
	if err != nil {
		return false
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cur.CABundle) {
		return false
	}
	_, err = leaf.Verify(x509.VerifyOptions{
		DNSName:     dnsNames[0],
		Roots:       pool,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err == nil
}

// bundleFromData reads a Bundle from Secret data; nil when the CA is absent.
func bundleFromData(data map[string][]byte) *Bundle {
	if len(data[keyCACert]) == 0 || len(data[keyCAKey]) == 0 {
		return nil
	}
	b := &Bundle{
		CACert:   data[keyCACert],
		CAKey:    data[keyCAKey],
		Cert:     data[keyCert],
		Key:      data[keyKey],
		CABundle: data[keyCABundle],
	}
	if len(b.CABundle) == 0 {
		b.CABundle = b.CACert
	}
	return b
}

// data is the Secret data holding b.
func (b *Bundle) data() map[string][]byte {
	return map[string][]byte{
		keyCACert:   b.CACert,
		keyCAKey:    b.CAKey,
		keyCert:     b.Cert,
		keyKey:      b.Key,
		keyCABundle: b.CABundle,
	}
}
