package decision

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// The SSHSIG format (OpenSSH's PROTOCOL.sshsig), as ssh-keygen -Y and
// git produce and check it.
const (
	sigMagic    = "SSHSIG"
	sigVersion  = 1
	armorBegin  = "-----BEGIN SSH SIGNATURE-----"
	armorEnd    = "-----END SSH SIGNATURE-----"
	armorWidth  = 70 // as ssh-keygen wraps
	hashSHA512  = "sha512"
	hashSHA256  = "sha256"
	sigHashUsed = hashSHA512 // what Sign uses; ssh-keygen's default too
)

// sigBlob is an SSHSIG signature after the magic bytes.
type sigBlob struct {
	Version   uint32
	PublicKey []byte // SSH wire encoding of the signer's public key
	Namespace string
	Reserved  string
	HashAlg   string
	Signature []byte // SSH wire encoding of an ssh.Signature
}

// signedPayload is what the key signs after the magic bytes: note it has
// no version, and the message only as its hash.
type signedPayload struct {
	Namespace string
	Reserved  string
	HashAlg   string
	Hash      []byte
}

// messageHash hashes message with the named algorithm.
func messageHash(alg string, message []byte) ([]byte, error) {
	switch alg {
	case hashSHA512:
		h := sha512.Sum512(message)
		return h[:], nil
	case hashSHA256:
		h := sha256.Sum256(message)
		return h[:], nil
	}
	return nil, fmt.Errorf("signature hash %q is not sha256 or sha512", alg)
}

// dataToSign returns the bytes the key signs for message.
func dataToSign(namespace, reserved, hashAlg string, message []byte) ([]byte, error) {
	h, err := messageHash(hashAlg, message)
	if err != nil {
		return nil, err
	}
	return append([]byte(sigMagic), ssh.Marshal(signedPayload{namespace, reserved, hashAlg, h})...), nil
}

// armor encodes a signature blob as ssh-keygen writes it.
func armor(b sigBlob) string {
	encoded := base64.StdEncoding.EncodeToString(append([]byte(sigMagic), ssh.Marshal(b)...))
	var out strings.Builder
	out.WriteString(armorBegin + "\n")
	for len(encoded) > armorWidth {
		out.WriteString(encoded[:armorWidth] + "\n")
		encoded = encoded[armorWidth:]
	}
	out.WriteString(encoded + "\n" + armorEnd + "\n")
	return out.String()
}

// unarmor decodes an armored signature; line breaks and surrounding
// blanks do not matter, anything else outside the markers does.
func unarmor(armored string) (sigBlob, error) {
	body, hasBegin := strings.CutPrefix(strings.TrimSpace(armored), armorBegin)
	body, hasEnd := strings.CutSuffix(body, armorEnd)
	if !hasBegin || !hasEnd {
		return sigBlob{}, fmt.Errorf("want an armored SSH signature (%s ... %s)", armorBegin, armorEnd)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		return sigBlob{}, fmt.Errorf("signature is not base64: %v", err)
	}
	rest, ok := bytes.CutPrefix(raw, []byte(sigMagic))
	if !ok {
		return sigBlob{}, fmt.Errorf("signature does not start with %s", sigMagic)
	}
	var b sigBlob
	if err := ssh.Unmarshal(rest, &b); err != nil {
		return sigBlob{}, fmt.Errorf("signature blob: %v", err)
	}
	if b.Version != sigVersion {
		return sigBlob{}, fmt.Errorf("signature version %d is not %d", b.Version, sigVersion)
	}
	return b, nil
}
