package decision

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/people"
)

// SignPayload signs arbitrary bytes as an SSHSIG signature in namespace,
// for documents other than decisions (audit checkpoints, ...). The
// namespace must be the document kind's own: it may not be empty nor the
// decisions' Namespace, so that such a signature never counts as a
// decision, nor a decision signature as such a document.
func SignPayload(payload []byte, namespace string, signer ssh.Signer) (string, error) {
	if err := checkPayloadNamespace(namespace); err != nil {
		return "", err
	}
	return signMessage(namespace, payload, signer)
}

// VerifyPayload checks that armored is a signature over payload in
// namespace by a key that dir lists and allows to sign in namespace, and
// returns the key's owner and fingerprint. Unlike Verify it checks no
// time: the payload carries its own, if any.
func VerifyPayload(payload []byte, armored, namespace string, dir *people.Directory) (Verified, error) {
	if err := checkPayloadNamespace(namespace); err != nil {
		return Verified{}, payloadRefusal{ErrMalformed, err.Error()}
	}
	blob, err := unarmor(armored)
	if err != nil {
		return Verified{}, payloadRefusal{ErrMalformed, "malformed signature: " + err.Error()}
	}
	if blob.Namespace != namespace {
		return Verified{}, payloadRefusal{ErrNamespace, fmt.Sprintf("the signature was made for namespace %q, not %q", blob.Namespace, namespace)}
	}
	key, err := ssh.ParsePublicKey(blob.PublicKey)
	if err != nil {
		return Verified{}, payloadRefusal{ErrMalformed, "malformed signature: its public key: " + err.Error()}
	}
	fp := ssh.FingerprintSHA256(key)
	owner, listed, err := dir.ByFingerprint(fp)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrUnknownKey, err)
	}
	if !listed.AllowsNamespace(namespace) {
		return Verified{}, payloadRefusal{ErrNamespace, fmt.Sprintf("dre.yaml limits key %s of %s to namespaces %v; add %s", fp, owner.ID, listed.Namespaces, namespace)}
	}
	err = checkSignature(key, blob, payload)
	if errors.Is(err, ErrBadSignature) {
		return Verified{}, payloadRefusal{ErrBadSignature, "the signature does not verify over the signed document (was it changed after signing?)"}
	}
	if err != nil {
		return Verified{}, err
	}
	return Verified{Person: owner, Fingerprint: fp}, nil
}

// payloadRefusal is a VerifyPayload error: kind is the sentinel for errors.Is,
// whose decision-worded text the message replaces.
type payloadRefusal struct {
	kind error
	msg  string
}

func (r payloadRefusal) Error() string { return r.msg }
func (r payloadRefusal) Unwrap() error { return r.kind }

// checkPayloadNamespace refuses the namespaces a payload may not use.
func checkPayloadNamespace(namespace string) error {
	switch namespace {
	case "":
		return errors.New("a payload signature needs a namespace of its own")
	case Namespace:
		return fmt.Errorf("namespace %s is for decisions only; give the payload its own", Namespace)
	}
	return nil
}
