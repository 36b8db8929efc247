package people

import (
	"crypto/dsa" //lint:ignore SA1019 the test builds a DSA key to show it is refused
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// newKeyLine returns a fresh ed25519 authorized_keys line, without newline.
func newKeyLine(t *testing.T, comment string) string {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment
}

func TestParsePublicKeyForms(t *testing.T) {
	line := newKeyLine(t, "alice@laptop")
	keyOnly := strings.Join(strings.Fields(line)[:2], " ")
	tests := []struct {
		name, line string
		namespaces []string
	}{
		{"authorized_keys", line, nil},
		{"no comment", keyOnly, nil},
		{"allowed_signers", "alice@example.com " + keyOnly, nil},
		{"allowed_signers with namespaces", `alice@example.com,a@b namespaces="git,dre-decision@dre.dev" ` + keyOnly, []string{"git", "dre-decision@dre.dev"}},
	}
	for _, tt := range tests {
		k, err := ParsePublicKey(tt.line)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if k.Key.Type() != ssh.KeyAlgoED25519 || !strings.HasPrefix(k.Fingerprint(), "SHA256:") || k.String() != tt.line {
			t.Errorf("%s: parsed %s %s %q", tt.name, k.Key.Type(), k.Fingerprint(), k.String())
		}
		if strings.Join(k.Namespaces, "|") != strings.Join(tt.namespaces, "|") {
			t.Errorf("%s: namespaces %q, want %q", tt.name, k.Namespaces, tt.namespaces)
		}
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	line := newKeyLine(t, "x")
	fields := strings.Fields(line)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	one := big.NewInt(1)
	dsaPub, err := ssh.NewPublicKey(&dsa.PublicKey{Y: big.NewInt(2), Parameters: dsa.Parameters{
		P: new(big.Int).Add(new(big.Int).Lsh(one, 1023), one), Q: new(big.Int).Add(new(big.Int).Lsh(one, 159), one), G: big.NewInt(2)}})
	if err != nil {
		t.Fatal(err)
	}
	smallPub, _ := ssh.NewPublicKey(&small.PublicKey)
	tests := []struct{ name, line, says string }{
		{"empty", "", "want a public key line"},
		{"type only", "ssh-ed25519", "want a public key line"},
		{"bad base64", "ssh-ed25519 !!!!", "not valid base64"},
		{"truncated", "ssh-ed25519 AAAA", "does not decode"},
		{"says ssh-rsa but holds a ssh-ed25519 key", "ssh-rsa " + fields[1], "says ssh-rsa but holds a ssh-ed25519 key"},
		{"DSA", string(ssh.MarshalAuthorizedKey(dsaPub)), "ssh-dss (DSA) keys are too weak"},
		{"certificate", "ssh-ed25519-cert-v01@openssh.com " + fields[1], "want a public key line"},
		{"short RSA", string(ssh.MarshalAuthorizedKey(smallPub)), "1024 bits is too short"},
		{"valid-after", `alice valid-after="20270101" ` + line, `option "valid-after" is not supported`},
		{"cert-authority", `alice cert-authority ` + line, `option "cert-authority" is not supported`},
		{"unmatched quote", `alice namespaces="git ` + line, "unmatched"},
	}
	for _, tt := range tests {
		var k PublicKey
		err := k.UnmarshalText([]byte(tt.line))
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.says)
		}
		if k.Key != nil {
			t.Errorf("%s: a refused key was stored", tt.name)
		}
	}
}

func TestAllowsNamespace(t *testing.T) {
	any, _ := ParsePublicKey(newKeyLine(t, ""))
	gitOnly, _ := ParsePublicKey(`a namespaces="git" ` + newKeyLine(t, ""))
	if !any.AllowsNamespace("dre-decision@dre.dev") || gitOnly.AllowsNamespace("dre-decision@dre.dev") || !gitOnly.AllowsNamespace("git") {
		t.Error("AllowsNamespace: want unrestricted keys to allow all, namespaces= to allow only those listed")
	}
}
