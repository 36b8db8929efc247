package decision

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, kind := range []string{"ed25519", "rsa", "ecdsa"} {
		t.Run(kind, func(t *testing.T) {
			alice := newSigner(t, kind)
			dir := directory(t, map[string][]ssh.Signer{"alice": {newSigner(t, "ed25519"), alice}, "bob": {newSigner(t, "ed25519")}})
			armored, err := Sign(sampleDecision(), alice)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Verify(sampleDecision(), armored, dir, now, DefaultMaxAge)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Person.ID != "alice" || got.Fingerprint != ssh.FingerprintSHA256(alice.PublicKey()) {
				t.Errorf("Verify = %s %s, want alice %s", got.Person.ID, got.Fingerprint, ssh.FingerprintSHA256(alice.PublicKey()))
			}
		})
	}
}

// TestRSASignsWithSHA512 checks that Sign never makes SHA-1 signatures,
// which Verify would refuse.
func TestRSASignsWithSHA512(t *testing.T) {
	armored, err := Sign(sampleDecision(), newSigner(t, "rsa"))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := unarmor(armored)
	if err != nil {
		t.Fatal(err)
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal(blob.Signature, &sig); err != nil {
		t.Fatal(err)
	}
	if sig.Format != ssh.KeyAlgoRSASHA512 || blob.HashAlg != "sha512" || blob.Namespace != Namespace {
		t.Errorf("RSA signature format %s, hash %s, namespace %s; want rsa-sha2-512, sha512, %s", sig.Format, blob.HashAlg, blob.Namespace, Namespace)
	}
}

// refusal is a decision and signature Verify must refuse with want,
// saying says.
type refusal struct {
	name     string
	decision Decision
	armored  string
	want     error
	says     string
}

func TestVerifyRefuses(t *testing.T) {
	alice, bob, stranger, rsaKey := newSigner(t, "ed25519"), newSigner(t, "ed25519"), newSigner(t, "ed25519"), newSigner(t, "rsa")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice, rsaKey}, "bob": {bob}})
	d := sampleDecision()
	aged := func(age time.Duration) Decision { d := sampleDecision(); d.At = now.Add(-age); return d }
	stale, future := aged(DefaultMaxAge+time.Second), aged(-MaxClockSkew-time.Second)
	tests := []refusal{
		{"namespace git", d, signRaw(t, alice, "git", ssh.KeyAlgoED25519, d.Canonical()), ErrNamespace, `namespace "git"`},
		{"key not in directory", d, mustSign(t, d, stranger), ErrUnknownKey, "add the public key line"},
		{"another person's key", d, mustSign(t, d, bob), ErrNotDecider, "people.bob's"},
		{"older than maxAge", stale, mustSign(t, stale, alice), ErrStale, "sign it again"},
		{"beyond the clock skew", future, mustSign(t, future, alice), ErrFuture, "ahead of the workflow's clock"},
		{"ssh-rsa SHA-1", d, signRaw(t, rsaKey, Namespace, ssh.KeyAlgoRSA, d.Canonical()), ErrWeakHash, "SHA-1"},
		{"not armored", d, "ssh-ed25519 AAAA", ErrMalformed, "armored"},
		{"empty nonce", Decision{WorkflowID: "w", Action: "a", Target: "t", Decider: "alice", At: now}, mustSign(t, d, alice), ErrMalformed, "nonce"},
		{"control characters", func() Decision { d := sampleDecision(); d.Target = "t\nx"; return d }(), mustSign(t, d, alice), ErrMalformed, "control"},
	}
	tests = append(tests, tamperedFields(mustSign(t, d, alice))...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.decision, tt.armored, dir, now, DefaultMaxAge)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", got, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if got.Person.ID != "" || got.Fingerprint != "" {
				t.Errorf("a refusal returned %+v", got)
			}
		})
	}
}

// tamperedFields changes each field of alice's signed sample decision in
// turn. Changing the decider to bob makes alice's key the wrong person's.
func tamperedFields(armored string) []refusal {
	edits := map[string]func(*Decision){
		"workflow": func(d *Decision) { d.WorkflowID += "x" },
		"action":   func(d *Decision) { d.Action = "deny" },
		"target":   func(d *Decision) { d.Target = "public.customers" },
		"decider":  func(d *Decision) { d.Decider = "bob" },
		"at":       func(d *Decision) { d.At = d.At.Add(time.Nanosecond) },
		"nonce":    func(d *Decision) { d.Nonce = strings.Repeat("f", 32) },
	}
	var out []refusal
	for field, edit := range edits {
		d := sampleDecision()
		edit(&d)
		r := refusal{"tampered " + field, d, armored, ErrBadSignature, "was a field changed after signing?"}
		if field == "decider" {
			r.want, r.says = ErrNotDecider, "names bob as its decider"
		}
		out = append(out, r)
	}
	return out
}

// TestVerifyTamperedSignature flips one byte in each part of the blob.
func TestVerifyTamperedSignature(t *testing.T) {
	alice := newSigner(t, "ed25519")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice}})
	blob, err := unarmor(mustSign(t, sampleDecision(), alice))
	if err != nil {
		t.Fatal(err)
	}
	blob.Signature[len(blob.Signature)-1] ^= 1
	if _, err := Verify(sampleDecision(), armor(blob), dir, now, DefaultMaxAge); !errors.Is(err, ErrBadSignature) {
		t.Errorf("flipped signature bit: %v, want ErrBadSignature", err)
	}
	blob.Signature[len(blob.Signature)-1] ^= 1
	blob.HashAlg = "sha256" // signed as sha512
	if _, err := Verify(sampleDecision(), armor(blob), dir, now, DefaultMaxAge); !errors.Is(err, ErrBadSignature) {
		t.Errorf("hash algorithm changed: %v, want ErrBadSignature", err)
	}
	blob.HashAlg = "md5"
	if _, err := Verify(sampleDecision(), armor(blob), dir, now, DefaultMaxAge); !errors.Is(err, ErrMalformed) {
		t.Errorf("hash md5: %v, want ErrMalformed", err)
	}
}

// TestVerifyTimeBounds accepts the edges of the window and nothing past them.
func TestVerifyTimeBounds(t *testing.T) {
	alice := newSigner(t, "ed25519")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice}})
	for _, tt := range []struct {
		at   time.Time
		want error
	}{
		{now.Add(-DefaultMaxAge), nil},
		{now.Add(MaxClockSkew), nil},
		{now.Add(-DefaultMaxAge - time.Nanosecond), ErrStale},
		{now.Add(MaxClockSkew + time.Nanosecond), ErrFuture},
	} {
		d := sampleDecision()
		d.At = tt.at
		if _, err := Verify(d, mustSign(t, d, alice), dir, now, DefaultMaxAge); !errors.Is(err, tt.want) {
			t.Errorf("at now%+v: %v, want %v", tt.at.Sub(now), err, tt.want)
		}
	}
	if _, err := Verify(sampleDecision(), mustSign(t, sampleDecision(), alice), dir, now, 0); !errors.Is(err, ErrMalformed) {
		t.Errorf("maxAge 0: %v, want ErrMalformed", err)
	}
}

// TestVerifyKeyNamespaces honours allowed_signers namespaces= in dre.yaml.
func TestVerifyKeyNamespaces(t *testing.T) {
	alice := newSigner(t, "ed25519")
	for _, tt := range []struct {
		options string
		want    error
	}{
		{`namespaces="git,dre-decision@dre.dev"`, nil},
		{`namespaces="git"`, ErrNamespace},
	} {
		k, err := peopleKey("alice@example.com " + tt.options + " " + keyLine(alice))
		if err != nil {
			t.Fatal(err)
		}
		dir := peopleDirectory("alice", k)
		if _, err := Verify(sampleDecision(), mustSign(t, sampleDecision(), alice), dir, now, DefaultMaxAge); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.options, err, tt.want)
		}
	}
}

func mustSign(t testing.TB, d Decision, s ssh.Signer) string {
	t.Helper()
	armored, err := Sign(d, s)
	if err != nil {
		t.Fatal(err)
	}
	return armored
}
