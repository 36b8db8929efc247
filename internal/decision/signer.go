package decision

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// KeySigner is a signing key the CLI opened: an ssh.Signer plus whatever
// must be closed when done (the connection to ssh-agent).
type KeySigner struct {
	ssh.Signer
	closer io.Closer
}

// Close releases the agent connection, if any.
func (s *KeySigner) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// OpenSigner opens the key that signs decisions. ref (a --sign flag or
// DRE_SIGNING_KEY) is one of:
//
//   - "": the only key in ssh-agent;
//   - a fingerprint "SHA256:...": that key in ssh-agent;
//   - the path of a public key (.pub): its private half in ssh-agent, as
//     with ssh-keygen -Y sign -f key.pub;
//   - the path of an unencrypted private key file. A passphrase-protected
//     one is used through ssh-agent, where ssh-add puts it.
//
// agentSocket is SSH_AUTH_SOCK; "" means no agent.
func OpenSigner(ref, agentSocket string) (*KeySigner, error) {
	want := ref
	if ref != "" && !strings.HasPrefix(ref, "SHA256:") {
		signer, fp, err := readKeyFile(ref)
		if err != nil {
			return nil, err
		}
		if signer != nil {
			return &KeySigner{Signer: signer}, nil
		}
		want = fp // a public key, or a private key that needs the agent
	}
	if agentSocket == "" {
		return nil, fmt.Errorf("no signing key: SSH_AUTH_SOCK is not set, so there is no ssh-agent to ask; start one and ssh-add your key, or set DRE_SIGNING_KEY to an unencrypted private key file")
	}
	conn, err := net.Dial("unix", agentSocket)
	if err != nil {
		return nil, fmt.Errorf("connect to ssh-agent at SSH_AUTH_SOCK=%s: %w", agentSocket, err)
	}
	signer, err := AgentSigner(agent.NewClient(conn), want)
	if err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	return &KeySigner{Signer: signer, closer: conn}, nil
}

// readKeyFile reads a key file. For an unencrypted private key it returns
// its signer; for a public key, or a private key needing a passphrase,
// the fingerprint to look for in ssh-agent.
func readKeyFile(path string) (ssh.Signer, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read signing key: %w", err)
	}
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
		return nil, ssh.FingerprintSHA256(pub), nil
	}
	signer, err := ssh.ParsePrivateKey(data)
	var locked *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &locked) && locked.PublicKey != nil:
		return nil, ssh.FingerprintSHA256(locked.PublicKey), nil
	case errors.As(err, &locked):
		return nil, "", fmt.Errorf("signing key %s is passphrase-protected; run ssh-add %s and set DRE_SIGNING_KEY to %s.pub", path, path, path)
	case err != nil:
		return nil, "", fmt.Errorf("signing key %s is neither an OpenSSH private key nor a public key: %v", path, err)
	}
	return signer, "", nil
}

// AgentSigner returns the agent's key with fingerprint want ("SHA256:..."),
// or its only key when want is "".
func AgentSigner(ag agent.ExtendedAgent, want string) (ssh.Signer, error) {
	signers, err := ag.Signers()
	if err != nil {
		return nil, fmt.Errorf("list ssh-agent keys: %w", err)
	}
	var fingerprints []string
	for _, s := range signers {
		fp := ssh.FingerprintSHA256(s.PublicKey())
		if fp == want || want == "" && len(signers) == 1 {
			return s, nil
		}
		fingerprints = append(fingerprints, fp)
	}
	switch {
	case len(signers) == 0:
		return nil, fmt.Errorf("ssh-agent holds no keys; add yours with ssh-add")
	case want == "":
		return nil, fmt.Errorf("ssh-agent holds %d keys (%s); set DRE_SIGNING_KEY to the fingerprint or .pub file of the one listed in dre.yaml", len(signers), strings.Join(fingerprints, ", "))
	}
	return nil, fmt.Errorf("ssh-agent does not hold key %s (it has %s); ssh-add it first", want, strings.Join(fingerprints, ", "))
}
