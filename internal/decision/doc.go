// Package decision signs and verifies the decisions people make about
// workflows (approve, deny, revoke, continue, ...), so that a workflow can
// trust who decided whichever client sent the decision.
//
// A Decision names the workflow, the action, its target, the deciding
// person (an ID from package people's directory), the time and a random
// nonce. Its canonical bytes (Decision.Canonical) are signed as an SSH
// signature (SSHSIG, the format of ssh-keygen -Y sign and of git's SSH
// commit signing) in the namespace dre-decision@dre.dev, with a key from
// ssh-agent or a key file (OpenSigner). People use the SSH keys they
// already have; ssh-keygen -Y sign -n dre-decision@dre.dev over the
// canonical bytes gives the same kind of signature as Sign.
//
// Verify is pure, for Temporal update validators: given the decision, its
// signature, the directory and the workflow's time, it returns the person
// and key fingerprint or refuses (another namespace, a key not in
// dre.yaml or not the decider's, a stale or future decision, SHA-1
// ssh-rsa signatures, any changed field).
//
// SignPayload and VerifyPayload do the same for other documents (audit
// checkpoints), each in a namespace of its own, never the decisions'.
//
// Replay protection is the caller's: SSHSIG carries no time or nonce of
// its own, and Verify keeps no state. A workflow must remember the nonces
// of the decisions it accepted (for as long as they could still verify,
// maxAge plus MaxClockSkew) and refuse a decision whose nonce it has seen.
package decision
