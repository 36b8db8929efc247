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
		return Verified{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	blob, err := unarmor(armored)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if blob.Namespace != namespace {
		return Verified{}, fmt.Errorf("%w: it was made for namespace %q, not %q", ErrNamespace, blob.Namespace, namespace)
	}
	key, err := ssh.ParsePublicKey(blob.PublicKey)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: signature's public key: %v", ErrMalformed, err)
	}
	fp := ssh.FingerprintSHA256(key)
	owner, listed, err := dir.ByFingerprint(fp)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrUnknownKey, err)
	}
	if !listed.AllowsNamespace(namespace) {
		return Verified{}, fmt.Errorf("%w: dre.yaml limits key %s of %s to namespaces %v; add %s", ErrNamespace, fp, owner.ID, listed.Namespaces, namespace)
	}
	if err := checkSignature(key, blob, payload); err != nil {
		return Verified{}, err
	}
	return Verified{Person: owner, Fingerprint: fp}, nil
}

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
