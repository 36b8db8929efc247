package decision

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/people"
)

// MaxClockSkew is how far in the future a decision's time may lie: the
// signer's clock may run a little ahead of the workflow's.
const MaxClockSkew = time.Minute

// DefaultMaxAge is a sensible maxAge for Verify: long enough to sign and
// send, short enough that a leaked signature soon expires.
const DefaultMaxAge = 10 * time.Minute

// The refusals of Verify, for callers that count or branch on them; the
// wrapping error says what is wrong in words.
var (
	ErrMalformed    = errors.New("malformed decision or signature")
	ErrNamespace    = errors.New("signature is not for dre decisions")
	ErrUnknownKey   = errors.New("signing key is not in dre.yaml")
	ErrNotDecider   = errors.New("signing key belongs to someone else")
	ErrStale        = errors.New("decision is too old")
	ErrFuture       = errors.New("decision is dated in the future")
	ErrWeakHash     = errors.New("signature uses SHA-1")
	ErrBadSignature = errors.New("signature does not match the decision")
)

// Verified is who made a decision, as the signature proves it.
type Verified struct {
	Person      people.Person
	Fingerprint string // the signing key's SHA256 fingerprint, for the audit log
}

// Verify checks that armored is a signature over d by one of the keys of
// d.Decider in dir, made at most maxAge before now and not more than
// MaxClockSkew after it, and returns the person and key fingerprint.
//
// Verify is pure and deterministic: no I/O, no clock, no randomness, so
// it can run in a Temporal update validator with now = workflow.Now(ctx).
// It does not know which decisions were seen before: the caller refuses
// replays by keeping the nonces it accepted (for at least maxAge plus
// MaxClockSkew), and checks that d.WorkflowID, d.Action and d.Target are
// what it is deciding.
func Verify(d Decision, armored string, dir *people.Directory, now time.Time, maxAge time.Duration) (Verified, error) {
	if err := d.Check(); err != nil {
		return Verified{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	blob, err := unarmor(armored)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if blob.Namespace != Namespace {
		return Verified{}, fmt.Errorf("%w: it was made for namespace %q, not %q; sign with -n %s", ErrNamespace, blob.Namespace, Namespace, Namespace)
	}
	key, err := ssh.ParsePublicKey(blob.PublicKey)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: signature's public key: %v", ErrMalformed, err)
	}
	who, err := identify(d, key, dir)
	if err != nil {
		return Verified{}, err
	}
	if err := checkTime(d.At, now, maxAge); err != nil {
		return Verified{}, err
	}
	if err := checkSignature(key, blob, d.Canonical()); err != nil {
		return Verified{}, err
	}
	return who, nil
}

// identify finds the key's owner in dir and requires it to be the decider
// and the key to be allowed to sign decisions.
func identify(d Decision, key ssh.PublicKey, dir *people.Directory) (Verified, error) {
	fp := ssh.FingerprintSHA256(key)
	owner, listed, err := dir.ByFingerprint(fp)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrUnknownKey, err)
	}
	if owner.ID != d.Decider {
		return Verified{}, fmt.Errorf("%w: key %s is people.%s's, but the decision names %s as its decider", ErrNotDecider, fp, owner.ID, d.Decider)
	}
	if !listed.AllowsNamespace(Namespace) {
		return Verified{}, fmt.Errorf("%w: dre.yaml limits key %s of %s to namespaces %v; add %s", ErrNamespace, fp, owner.ID, listed.Namespaces, Namespace)
	}
	return Verified{Person: owner, Fingerprint: fp}, nil
}

// checkTime refuses a decision older than maxAge or dated beyond the
// allowed clock skew.
func checkTime(at, now time.Time, maxAge time.Duration) error {
	if maxAge <= 0 {
		return fmt.Errorf("%w: maxAge must be positive, got %v", ErrMalformed, maxAge)
	}
	age := now.Sub(at)
	if age > maxAge {
		return fmt.Errorf("%w: made at %s, %s ago, and decisions count for %s; sign it again", ErrStale, at.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge)
	}
	if -age > MaxClockSkew {
		return fmt.Errorf("%w: dated %s, %s ahead of the workflow's clock (at most %s allowed); check the signer's clock", ErrFuture, at.UTC().Format(time.RFC3339), (-age).Round(time.Second), MaxClockSkew)
	}
	return nil
}

// checkSignature verifies the SSHSIG signature over message, refusing
// SHA-1 RSA signatures that ssh.PublicKey.Verify would still accept.
func checkSignature(key ssh.PublicKey, blob sigBlob, message []byte) error {
	var sig ssh.Signature
	if err := ssh.Unmarshal(blob.Signature, &sig); err != nil {
		return fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	if sig.Format == ssh.KeyAlgoRSA {
		return fmt.Errorf("%w: ssh-rsa signatures are SHA-1; sign with rsa-sha2-512 (a current ssh-keygen or ssh-agent does)", ErrWeakHash)
	}
	data, err := dataToSign(blob.Namespace, blob.Reserved, blob.HashAlg, message)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := key.Verify(data, &sig); err != nil {
		return fmt.Errorf("%w: %v (was a field changed after signing?)", ErrBadSignature, err)
	}
	return nil
}
