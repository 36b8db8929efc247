package decision

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/people"
)

// sshKeygen runs OpenSSH's ssh-keygen with stdin and returns its
// standard output, or its standard error along with a failure.
func sshKeygen(t *testing.T, stdin []byte, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Fatalf("ssh-keygen not found: install openssh-client (apt-get install openssh-client); this test checks dre against it")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// TestAgainstSSHKeygen checks both directions against OpenSSH: Verify
// accepts what ssh-keygen -Y sign makes over the canonical bytes, and
// ssh-keygen -Y verify accepts what Sign makes.
func TestAgainstSSHKeygen(t *testing.T) {
	for _, kind := range []string{"ed25519", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			keyFile := filepath.Join(dir, "alice")
			if out, err := sshKeygen(t, nil, "-q", "-t", kind, "-N", "", "-C", "alice@test", "-f", keyFile); err != nil {
				t.Fatalf("ssh-keygen keygen: %v\n%s", err, out)
			}
			pub, err := os.ReadFile(keyFile + ".pub")
			if err != nil {
				t.Fatal(err)
			}
			key, err := people.ParsePublicKey(string(pub))
			if err != nil {
				t.Fatal(err)
			}
			d := sampleDecision()
			theirs := keygenSigns(t, keyFile, d, people.NewDirectory(map[string]people.Person{"alice": {Keys: []people.PublicKey{key}}}, nil))
			ours := keygenVerifies(t, keyFile, string(pub), d)
			if kind == "ed25519" && ours != theirs {
				// ed25519 signatures are deterministic: same key, bytes
				// and namespace give the same armored text.
				t.Errorf("Sign and ssh-keygen differ for one ed25519 key:\n%s\n%s", ours, theirs)
			}
		})
	}
}

// keygenSigns has ssh-keygen sign d, checks that Verify accepts it and
// refuses the same made for namespace git, and returns the signature.
func keygenSigns(t *testing.T, keyFile string, d Decision, dir *people.Directory) string {
	sig, err := sshKeygen(t, d.Canonical(), "-Y", "sign", "-f", keyFile, "-n", Namespace)
	if err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, sig)
	}
	got, err := Verify(d, sig, dir, now, DefaultMaxAge)
	if err != nil || got.Person.ID != "alice" {
		t.Fatalf("Verify(ssh-keygen's signature) = %+v, %v", got, err)
	}
	gitSig, err := sshKeygen(t, d.Canonical(), "-Y", "sign", "-f", keyFile, "-n", "git")
	if err != nil {
		t.Fatalf("ssh-keygen -Y sign -n git: %v\n%s", err, gitSig)
	}
	if _, err := Verify(d, gitSig, dir, now, DefaultMaxAge); !errors.Is(err, ErrNamespace) {
		t.Errorf("Verify(a git signature) = %v, want ErrNamespace", err)
	}
	return sig
}

// keygenVerifies signs d with Sign and the key file, checks that
// ssh-keygen -Y verify accepts it for d and refuses it for a changed
// decision, and returns the signature.
func keygenVerifies(t *testing.T, keyFile, pub string, d Decision) string {
	signer, err := OpenSigner(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	sig := mustSign(t, d, signer)
	dir := filepath.Dir(keyFile)
	allowed, sigFile := filepath.Join(dir, "allowed_signers"), filepath.Join(dir, "ours.sig")
	if err := os.WriteFile(allowed, []byte("alice "+pub), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sigFile, []byte(sig), 0o600); err != nil {
		t.Fatal(err)
	}
	verify := []string{"-Y", "verify", "-f", allowed, "-I", "alice", "-n", Namespace, "-s", sigFile}
	if out, err := sshKeygen(t, d.Canonical(), verify...); err != nil || !strings.Contains(out, "Good") {
		t.Errorf("ssh-keygen -Y verify of Sign's signature: %v\n%s", err, out)
	}
	changed := d
	changed.Action = "deny"
	if out, err := sshKeygen(t, changed.Canonical(), verify...); err == nil {
		t.Errorf("ssh-keygen -Y verify accepted a changed decision:\n%s", out)
	}
	return sig
}
