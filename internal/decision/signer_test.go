package decision

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// pipeAgent serves keyring over net.Pipe and returns a client of it.
func pipeAgent(t *testing.T, keyring agent.Agent) agent.ExtendedAgent {
	client, server := net.Pipe()
	go agent.ServeAgent(keyring, server)
	t.Cleanup(func() { client.Close(); server.Close() })
	return agent.NewClient(client)
}

// socketAgent serves keyring on a unix socket, as ssh-agent does, and
// returns its path for SSH_AUTH_SOCK.
func socketAgent(t *testing.T, keyring agent.Agent) string {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go agent.ServeAgent(keyring, conn)
		}
	}()
	return sock
}

// newKeyring holds a fresh ed25519 key and the shared RSA key.
func newKeyring(t *testing.T) (agent.Agent, ed25519.PrivateKey) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	newSigner(t, "rsa") // makes rsaKey
	keyring := agent.NewKeyring()
	for _, k := range []any{edKey, rsaKey} {
		if err := keyring.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	return keyring, edKey
}

// TestAgentSigner signs through an ssh-agent with each of its keys.
func TestAgentSigner(t *testing.T) {
	keyring, _ := newKeyring(t)
	ag := pipeAgent(t, keyring)
	keys, err := ag.List()
	if err != nil || len(keys) != 2 {
		t.Fatalf("agent keys = %d, %v", len(keys), err)
	}
	if _, err := AgentSigner(ag, ""); err == nil || !strings.Contains(err.Error(), "holds 2 keys") {
		t.Errorf(`AgentSigner("") with two keys = %v, want a request to choose`, err)
	}
	for _, k := range keys {
		signer, err := AgentSigner(ag, ssh.FingerprintSHA256(k))
		if err != nil {
			t.Fatal(err)
		}
		dir := directory(t, map[string][]ssh.Signer{"alice": {signer}})
		got, err := Verify(sampleDecision(), mustSign(t, sampleDecision(), signer), dir, now, DefaultMaxAge)
		if err != nil || got.Fingerprint != ssh.FingerprintSHA256(k) {
			t.Errorf("%s through the agent: %+v, %v", k.Type(), got, err)
		}
	}
	if _, err := AgentSigner(ag, "SHA256:nope"); err == nil || !strings.Contains(err.Error(), "does not hold key SHA256:nope") {
		t.Errorf("AgentSigner(unknown) = %v", err)
	}
}

// TestOpenSigner opens keys the ways the CLI names them.
func TestOpenSigner(t *testing.T) {
	keyring, edKey := newKeyring(t)
	sock := socketAgent(t, keyring)
	dir := t.TempDir()
	pub, _ := ssh.NewPublicKey(edKey.Public())
	wantFP := ssh.FingerprintSHA256(pub)
	plain, _ := ssh.MarshalPrivateKey(edKey, "plain")
	locked, _ := ssh.MarshalPrivateKeyWithPassphrase(edKey, "locked", []byte("secret"))
	files := map[string][]byte{
		"id.pub": ssh.MarshalAuthorizedKey(pub), "id_plain": pem.EncodeToMemory(plain),
		"id_locked": pem.EncodeToMemory(locked), "junk": []byte("not a key"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ ref, sock, says string }{
		{filepath.Join(dir, "id.pub"), sock, ""},
		{filepath.Join(dir, "id_plain"), "", ""},
		{filepath.Join(dir, "id_locked"), sock, ""},
		{wantFP, sock, ""},
		{filepath.Join(dir, "id_locked"), "", "SSH_AUTH_SOCK is not set"},
		{filepath.Join(dir, "junk"), sock, "neither an OpenSSH private key nor a public key"},
		{filepath.Join(dir, "missing"), sock, "no such file"},
		{"", sock, "holds 2 keys"},
	} {
		signer, err := OpenSigner(tt.ref, tt.sock)
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("OpenSigner(%s) = %v", filepath.Base(tt.ref), err)
		case tt.says == "" && ssh.FingerprintSHA256(signer.PublicKey()) != wantFP:
			t.Errorf("OpenSigner(%s) opened %s, want %s", filepath.Base(tt.ref), ssh.FingerprintSHA256(signer.PublicKey()), wantFP)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("OpenSigner(%s) = %v, want an error saying %q", filepath.Base(tt.ref), err, tt.says)
		}
		if signer != nil {
			if _, err := Sign(sampleDecision(), signer); err != nil {
				t.Errorf("Sign with OpenSigner(%s): %v", filepath.Base(tt.ref), err)
			}
			signer.Close()
		}
	}
}
