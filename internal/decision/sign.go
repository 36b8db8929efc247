package decision

import (
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// Namespace is the SSHSIG namespace of decision signatures. It is dre's
// own, never "git" or "file", so that a signed commit, a signed file or
// any other SSH signature can never count as a decision.
const Namespace = "dre-decision@dre.dev"

// Sign signs d's canonical bytes with signer and returns the armored
// SSH signature, the same that ssh-keygen -Y sign -n dre-decision@dre.dev
// would write for those bytes. RSA keys sign with rsa-sha2-512, never
// SHA-1. Signer may be a key file's or an ssh-agent's (see OpenSigner).
func Sign(d Decision, signer ssh.Signer) (string, error) {
	if err := d.Check(); err != nil {
		return "", err
	}
	sig, err := signMessage(Namespace, d.Canonical(), signer)
	if err != nil {
		return "", fmt.Errorf("sign decision: %w", err)
	}
	return sig, nil
}

// signMessage signs message in namespace and returns the armored SSHSIG.
func signMessage(namespace string, message []byte, signer ssh.Signer) (string, error) {
	data, err := dataToSign(namespace, "", sigHashUsed, message)
	if err != nil {
		return "", err
	}
	sig, err := signData(signer, data)
	if err != nil {
		return "", err
	}
	return armor(sigBlob{
		Version:   sigVersion,
		PublicKey: signer.PublicKey().Marshal(),
		Namespace: namespace,
		HashAlg:   sigHashUsed,
		Signature: ssh.Marshal(sig),
	}), nil
}

// signData signs with the key's own algorithm, except that RSA keys must
// use rsa-sha2-512: a plain Sign on an RSA key gives SHA-1 ssh-rsa.
func signData(signer ssh.Signer, data []byte) (*ssh.Signature, error) {
	if opened, ok := signer.(*KeySigner); ok {
		signer = opened.Signer // the embedding hides SignWithAlgorithm
	}
	if signer.PublicKey().Type() != ssh.KeyAlgoRSA {
		return signer.Sign(rand.Reader, data)
	}
	as, ok := signer.(ssh.AlgorithmSigner)
	if !ok {
		return nil, errors.New("this RSA key cannot sign with rsa-sha2-512; use an ed25519 key")
	}
	return as.SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSASHA512)
}
