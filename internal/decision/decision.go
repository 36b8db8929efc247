package decision

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
	"unicode"
	"unicode/utf8"
)

// Decision is what a person decides about a workflow: the signed
// payload. Every field is covered by the signature; the verifier's caller
// compares WorkflowID, Action and Target with the request it is deciding.
type Decision struct {
	// WorkflowID is the workflow the decision is for, so a signature for
	// one request cannot approve another.
	WorkflowID string `json:"workflow_id"`
	// Action is what is decided, like "approve" or "deny".
	Action string `json:"action"`
	// Target is what the action applies to, like a table or an incident.
	Target string `json:"target"`
	// Decider is the person's ID under people: in dre.yaml.
	Decider string `json:"decider"`
	// OnBehalfOf, when set, is whom a relay (the Slack gateway, signing
	// with its own key as Decider) passes the decision on for, like
	// "slack:T123/U456". It is signed only when set, so decisions without
	// it keep their canonical bytes.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
	// At is when the decision was made; verification refuses old ones.
	At time.Time `json:"at"`
	// Nonce makes every decision unique, so the workflow can refuse a
	// replay by remembering the nonces it has accepted.
	Nonce string `json:"nonce"`
}

// nonceShape allows the hex of NewNonce and other random tokens, long
// enough to be unguessable, short enough to keep in workflow state.
var nonceShape = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)

// NewNonce returns 128 random bits in hex for Decision.Nonce.
func NewNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("decision nonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Check reports a decision that cannot be signed or verified: an empty
// field, a zero time, a short nonce, or text that would not encode one
// way only (invalid UTF-8, control characters).
func (d Decision) Check() error {
	for _, f := range []struct{ name, value string }{
		{"workflow ID", d.WorkflowID}, {"action", d.Action}, {"target", d.Target}, {"decider", d.Decider}, {"on_behalf_of", d.OnBehalfOf},
	} {
		if f.value == "" && f.name != "on_behalf_of" {
			return fmt.Errorf("decision has no %s", f.name)
		}
		if !utf8.ValidString(f.value) || containsControl(f.value) {
			return fmt.Errorf("decision %s %q holds invalid UTF-8 or control characters", f.name, f.value)
		}
	}
	if d.At.IsZero() {
		return fmt.Errorf("decision has no time")
	}
	if !nonceShape.MatchString(d.Nonce) {
		return fmt.Errorf("decision nonce %q must be 16 to 128 letters, digits, _ or -; use NewNonce", d.Nonce)
	}
	return nil
}

func containsControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// canonicalForm fixes the field order and names of the signed bytes.
type canonicalForm struct {
	Version    int    `json:"v"`
	WorkflowID string `json:"workflow_id"`
	Action     string `json:"action"`
	Target     string `json:"target"`
	Decider    string `json:"decider"`
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
	At         string `json:"at"`
	Nonce      string `json:"nonce"`
}

// Canonical returns the bytes that are signed: compact JSON with the keys
// v, workflow_id, action, target, decider, on_behalf_of (only when set),
// at, nonce in this order, at in RFC 3339 UTC with as many fractional
// digits as it needs, no HTML
// escaping and no trailing newline. Other tools that sign decisions
// (ssh-keygen -Y sign over these bytes) must produce exactly this; run
// Check first, as invalid UTF-8 has no canonical form.
func (d Decision) Canonical() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Encoding a struct of strings and an int cannot fail.
	_ = enc.Encode(canonicalForm{1, d.WorkflowID, d.Action, d.Target, d.Decider, d.OnBehalfOf, d.At.UTC().Format(time.RFC3339Nano), d.Nonce})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
