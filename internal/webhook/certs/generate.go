// Package certs makes, stores and rotates the webhook's own CA and serving
// certificate, so the operator installs without cert-manager.
package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// Bundle is the PEM material the Secret holds: the CA (certificate and key),
// the serving pair signed by it, and the CA bundle clients trust. CABundle
// may hold the previous CA too, so pods admitted during a CA rotation keep
// working until the old CA expires.
type Bundle struct {
	CACert   []byte
	CAKey    []byte
	Cert     []byte
	Key      []byte
	CABundle []byte
}

// clockSkew backdates NotBefore, so an API server whose clock runs a little
// behind the operator's still accepts a brand-new certificate.
const clockSkew = time.Hour

// newCA makes a self-signed ECDSA P-256 CA valid from now for validity.
func newCA(commonName string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return sign(tmpl, tmpl, key, key)
}

// newServing makes an ECDSA P-256 serving certificate for dnsNames signed by
// the CA in caCertPEM/caKeyPEM.
func newServing(caCertPEM, caKeyPEM []byte, dnsNames []string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	ca, err := tls.X509KeyPair(caCertPEM, caKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("loading CA: %w", err)
	}
	caKey, ok := ca.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, errors.New("CA key is not ECDSA")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: dnsNames[0]},
		DNSNames:    dnsNames,
		NotBefore:   now.Add(-clockSkew),
		NotAfter:    now.Add(validity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	return sign(tmpl, ca.Leaf, key, caKey)
}

// sign issues tmpl (a fresh serial) with parent as issuer and returns both
// halves PEM-encoded.
func sign(tmpl, parent *x509.Certificate, key, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, err error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// parseCert decodes the first certificate of a PEM block.
func parseCert(certPEM []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// needsRenewal reports whether certPEM is unusable at now: unparsable, not yet
// valid, or with less than a third of its lifetime left. Renewing at two thirds
// leaves months for every replica and the API server to pick up the new one.
func needsRenewal(certPEM []byte, now time.Time) bool {
	c, err := parseCert(certPEM)
	if err != nil || now.Before(c.NotBefore) {
		return true
	}
	lifetime := c.NotAfter.Sub(c.NotBefore)
	return c.NotAfter.Sub(now) < lifetime/3
}

// coversNames reports whether the certificate names exactly dnsNames, so a
// renamed Service or namespace gets a new certificate.
func coversNames(certPEM []byte, dnsNames []string) bool {
	c, err := parseCert(certPEM)
	return err == nil && slices.Equal(c.DNSNames, dnsNames)
}

// caBundle returns newCA followed by every other CA of previous that is still
// valid at now, so clients trust both the old and the new CA during a
// rotation and expired ones drop out.
func caBundle(newCA, previous []byte, now time.Time) []byte {
	out := bytes.Clone(newCA)
	for rest := previous; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return out
		}
		one := pem.EncodeToMemory(block)
		c, err := x509.ParseCertificate(block.Bytes)
		if err == nil && now.Before(c.NotAfter) && !bytes.Equal(one, newCA) {
			out = append(out, one...)
		}
	}
}

// DNSNames are the names the API server may use to reach service in
// namespace; the first is the one it uses.
func DNSNames(service, namespace string) []string {
	return []string{
		service + "." + namespace + ".svc",
		service + "." + namespace + ".svc.cluster.local",
		service + "." + namespace,
		service,
	}
}
