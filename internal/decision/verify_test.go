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

func TestVerifyRefuses(t *testing.T) {
	alice, bob, stranger, rsaKey := newSigner(t, "ed25519"), newSigner(t, "ed25519"), newSigner(t, "ed25519"), newSigner(t, "rsa")
	dir := directory(t, map[string][]ssh.Signer{"alice": {alice, rsaKey}, "bob": {bob}})
	d := sampleDecision()
	sign := func(s ssh.Signer, d Decision) string {
		armored, err := Sign(d, s)
		if err != nil {
			t.Fatal(err)
		}
		return armored
	}
	good := sign(alice, d)
	aged := func(age time.Duration) Decision { d := sampleDecision(); d.At = now.Add(-age); return d }
	tests := []struct {
		name     string
		decision Decision
		armored  string
		want     error
		says     string
	}{
		{"namespace git", d, signRaw(t, alice, "git", ssh.KeyAlgoED25519, d.Canonical()), ErrNamespace, `namespace "git"`},
		{"key not in directory", d, sign(stranger, d), ErrUnknownKey, "add the public key line"},
		{"another person's key", d, sign(bob, d), ErrNotDecider, "people.bob's"},
		{"older than maxAge", aged(DefaultMaxAge + time.Second), sign(alice, aged(DefaultMaxAge+time.Second)), ErrStale, "sign it again"},
		{"beyond the clock skew", aged(-MaxClockSkew - time.Second), sign(alice, aged(-MaxClockSkew-time.Second)), ErrFuture, "ahead of the workflow's clock"},
		{"ssh-rsa SHA-1", d, signRaw(t, rsaKey, Namespace, ssh.KeyAlgoRSA, d.Canonical()), ErrWeakHash, "SHA-1"},
		{"not armored", d, "ssh-ed25519 AAAA", ErrMalformed, "armored"},
		{"empty nonce", Decision{WorkflowID: "w", Action: "a", Target: "t", Decider: "alice", At: now}, good, ErrMalformed, "nonce"},
		{"control characters", func() Decision { d := sampleDecision(); d.Target = "t\nx"; return d }(), good, ErrMalformed, "control"},
	}
	for _, field := range []string{"workflow", "action", "target", "decider", "at", "nonce"} {
		tampered := sampleDecision()
		switch field {
		case "workflow":
			tampered.WorkflowID += "x"
		case "action":
			tampered.Action = "deny"
		case "target":
			tampered.Target = "public.customers"
		case "decider":
			tampered.Decider = "bob" // then bob's key is wanted, and alice's found
		case "at":
			tampered.At = tampered.At.Add(time.Nanosecond)
		case "nonce":
			tampered.Nonce = strings.Repeat("f", 32)
		}
		want := ErrBadSignature
		if field == "decider" {
			want = ErrNotDecider
		}
		tests = append(tests, struct {
			name     string
			decision Decision
			armored  string
			want     error
			says     string
		}{"tampered " + field, tampered, good, want, ""})
	}
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
