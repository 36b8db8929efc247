package decision

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

const testPayloadNamespace = "dre-test-payload@dre.dev"

func TestSignedPayloadVerifiesAsItsSigner(t *testing.T) {
	alice := newSigner(t, "ed25519")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice}})
	sig, err := SignPayload([]byte("head 42"), testPayloadNamespace, alice)
	if err != nil {
		t.Fatal(err)
	}
	who, err := VerifyPayload([]byte("head 42"), sig, testPayloadNamespace, dir)
	if err != nil || who.Person.ID != "alice" || who.Fingerprint != ssh.FingerprintSHA256(alice.PublicKey()) {
		t.Fatalf("VerifyPayload = %+v, %v; want alice and her key's fingerprint", who, err)
	}
}

func TestPayloadSignaturesAreRefused(t *testing.T) {
	alice, mallory := newSigner(t, "ed25519"), newSigner(t, "ed25519")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice}})
	good, err := SignPayload([]byte("head 42"), testPayloadNamespace, alice)
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := SignPayload([]byte("head 42"), testPayloadNamespace, mallory)
	if err != nil {
		t.Fatal(err)
	}
	decisionSig, err := Sign(sampleDecision(), alice)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, payload, sig, namespace string
		want                          error
	}{
		{"changed payload", "head 41", good, testPayloadNamespace, ErrBadSignature},
		{"key not in the directory", "head 42", outsider, testPayloadNamespace, ErrUnknownKey},
		{"other namespace", "head 42", good, "dre-other@dre.dev", ErrNamespace},
		{"a decision signature", string(sampleDecision().Canonical()), decisionSig, testPayloadNamespace, ErrNamespace},
		{"the decisions' namespace", "head 42", good, Namespace, ErrMalformed},
		{"not a signature", "head 42", "hello", testPayloadNamespace, ErrMalformed},
	}
	for _, tc := range cases {
		if _, err := VerifyPayload([]byte(tc.payload), tc.sig, tc.namespace, dir); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v; want %v", tc.name, err, tc.want)
		}
	}
}

func TestPayloadCannotBeSignedAsADecision(t *testing.T) {
	for _, ns := range []string{"", Namespace} {
		if _, err := SignPayload([]byte("x"), ns, newSigner(t, "ed25519")); err == nil || !strings.Contains(err.Error(), "namespace") {
			t.Errorf("SignPayload in namespace %q: err = %v; want a refusal naming the namespace", ns, err)
		}
	}
}
