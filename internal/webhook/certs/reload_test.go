package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

// servedCert connects to addr and returns the leaf certificate it presents.
func servedCert(addr string) ([]byte, error) {
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // Reads the certificate, trusts nothing.
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	return conn.ConnectionState().PeerCertificates[0].Raw, nil
}

func TestWebhookServerPicksUpARenewedCertificate(t *testing.T) {
	o := setup(t, "reload")
	past := o
	past.Now = func() time.Time { return time.Now().Add(-300 * 24 * time.Hour) }
	if err := New(k8s, past).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	srv := webhook.NewServer(webhook.Options{Host: "127.0.0.1", Port: port, CertDir: o.CertDir})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = srv.Start(ctx) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	old, err := parseCert(read(t, o).cert)
	if err != nil {
		t.Fatal(err)
	}
	if !servesWithin(addr, old.Raw, 30*time.Second) {
		t.Fatal("webhook server never served the first certificate")
	}

	if err := New(k8s, o).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	renewed, err := parseCert(read(t, o).cert)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(renewed.Raw, old.Raw) {
		t.Fatal("certificate was not renewed")
	}
	if !servesWithin(addr, renewed.Raw, 30*time.Second) {
		t.Fatal("webhook server still serves the old certificate 30s after renewal")
	}
}

// servesWithin polls addr until it presents the certificate want.
func servesWithin(addr string, want []byte, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if served, err := servedCert(addr); err == nil && bytes.Equal(served, want) {
			return true
		}
	}
	return false
}

func TestSecretIsOwnedByTheWebhookConfiguration(t *testing.T) {
	o := setup(t, "owned")
	if err := New(k8s, o).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: o.Namespace, Name: o.SecretName}, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].Kind != "MutatingWebhookConfiguration" || s.OwnerReferences[0].Name != "owned" {
		t.Errorf("owner references %+v, want the webhook configuration", s.OwnerReferences)
	}
}
