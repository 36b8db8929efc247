package decision

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/people"
)

// now is the workflow time the tests verify at.
var now = time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC)

// rsaOnce keeps the tests to one slow RSA key generation.
var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// newSigner returns a fresh signer of kind ed25519, rsa or ecdsa.
func newSigner(t testing.TB, kind string) ssh.Signer {
	t.Helper()
	var priv any
	switch kind {
	case "ed25519":
		_, priv, _ = ed25519.GenerateKey(rand.Reader)
	case "rsa":
		rsaOnce.Do(func() { rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
		priv = rsaKey
	case "ecdsa":
		priv, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keyLine is the authorized_keys line of s's public key.
func keyLine(s ssh.Signer) string { return string(ssh.MarshalAuthorizedKey(s.PublicKey())) }

// directory lists each person with the keys of their signers.
func directory(t testing.TB, keys map[string][]ssh.Signer) *people.Directory {
	t.Helper()
	persons := map[string]people.Person{}
	for id, signers := range keys {
		p := people.Person{SlackUser: "U" + string(rune('A'+len(persons))) + "TEST"}
		for _, s := range signers {
			k, err := people.ParsePublicKey(keyLine(s))
			if err != nil {
				t.Fatal(err)
			}
			p.Keys = append(p.Keys, k)
		}
		persons[id] = p
	}
	return people.NewDirectory(persons, nil)
}

// sampleDecision is alice approving a backfill one minute before now.
func sampleDecision() Decision {
	return Decision{
		WorkflowID: "backfill/orders/2026-12-01..2026-12-05",
		Action:     "approve",
		Target:     "public.orders",
		Decider:    "alice",
		At:         now.Add(-time.Minute),
		Nonce:      "0123456789abcdef0123456789abcdef",
	}
}

// signRaw signs message the way Sign does but with any namespace and
// signature algorithm, to make signatures Sign refuses to make.
func signRaw(t testing.TB, s ssh.Signer, namespace, algorithm string, message []byte) string {
	t.Helper()
	data, err := dataToSign(namespace, "", hashSHA512, message)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.(ssh.AlgorithmSigner).SignWithAlgorithm(rand.Reader, data, algorithm)
	if err != nil {
		t.Fatal(err)
	}
	return armor(sigBlob{Version: sigVersion, PublicKey: s.PublicKey().Marshal(), Namespace: namespace,
		HashAlg: hashSHA512, Signature: ssh.Marshal(sig)})
}

// peopleKey parses a key line as dre.yaml would.
func peopleKey(line string) (people.PublicKey, error) { return people.ParsePublicKey(line) }

// peopleDirectory holds one person with one key.
func peopleDirectory(id string, k people.PublicKey) *people.Directory {
	return people.NewDirectory(map[string]people.Person{id: {Keys: []people.PublicKey{k}}}, nil)
}
