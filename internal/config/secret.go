package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Secret is a reference to a credential, written in dre.yaml as
// {env: NAME} or {file: PATH}, never inline. Once resolved it holds the
// value, but every way of printing or encoding it (String, GoString,
// MarshalJSON, MarshalText) shows only the reference, so a Secret cannot
// leak into a log line or a workflow input. Only Value reveals it.
type Secret struct {
	kind string // "env", "file" or "value"; "" when unset
	ref  string // the variable name, the file path or a label
	// value sits behind a pointer so that even reflection-based printers
	// (fmt on an unexported field, spew) show an address, not the text.
	value *string
}

// EnvSecret returns an unresolved reference to the environment variable
// name.
func EnvSecret(name string) Secret { return Secret{kind: "env", ref: name} }

// FileSecret returns an unresolved reference to the file at path.
func FileSecret(path string) Secret { return Secret{kind: "file", ref: path} }

// ValueSecret returns a resolved secret produced at run time, such as the
// DSN of the PostgreSQL cluster dre dev starts; label names its origin and
// is what Ref and String show.
func ValueSecret(label, value string) Secret {
	return Secret{kind: "value", ref: label, value: &value}
}

// IsSet reports whether the secret refers to anything.
func (s Secret) IsSet() bool { return s.kind != "" }

// Ref returns the reference, like env:SLACK_BOT_TOKEN or
// file:/run/secrets/slack-signing, or "" when unset.
func (s Secret) Ref() string {
	if !s.IsSet() {
		return ""
	}
	return s.kind + ":" + s.ref
}

// Value returns the resolved value, or "" when unresolved.
func (s Secret) Value() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// Resolve reads the value from the environment or the file (a relative
// path is relative to the working directory). A trailing newline is
// dropped from files, as most tools that write them add one.
func (s *Secret) Resolve(env Env) error {
	switch s.kind {
	case "value":
		if s.value == nil { // decoded from a reference: the value stayed behind
			return fmt.Errorf("secret %s was produced at run time elsewhere and cannot be resolved here", s.Ref())
		}
	case "env":
		v, ok := lookup(env, s.ref)
		if !ok {
			return fmt.Errorf("environment variable %s is not set", s.ref)
		}
		if v == "" {
			return fmt.Errorf("environment variable %s is set but empty", s.ref)
		}
		s.value = &v
	case "file":
		data, err := os.ReadFile(s.ref)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is already in our message
			}
			return fmt.Errorf("secret file %s: %v", s.ref, err)
		}
		v := strings.TrimRight(string(data), "\r\n")
		s.value = &v
	}
	return nil
}

// String returns the reference and whether it is resolved, like
// "env:SLACK_BOT_TOKEN (set)"; never the value.
func (s Secret) String() string {
	switch {
	case !s.IsSet():
		return "(none)"
	case s.value == nil:
		return s.Ref() + " (unresolved)"
	default:
		return s.Ref() + " (set)"
	}
}

// GoString makes %#v print the reference, not the value.
func (s Secret) GoString() string { return "config.Secret(" + s.String() + ")" }

// MarshalText encodes the reference only.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Ref()), nil }

// MarshalJSON encodes the reference only, as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.Ref()) }

// UnmarshalText reads a reference written by MarshalText, unresolved;
// the receiver calls Resolve to get the value in its own environment.
func (s *Secret) UnmarshalText(text []byte) error {
	kind, ref, _ := strings.Cut(string(text), ":")
	switch {
	case len(text) == 0:
		*s = Secret{}
	case (kind == "env" || kind == "file" || kind == "value") && ref != "":
		*s = Secret{kind: kind, ref: ref}
	default:
		return fmt.Errorf("invalid secret reference %q; want env:NAME or file:PATH", text)
	}
	return nil
}

// UnmarshalJSON reads a reference written by MarshalJSON, unresolved.
func (s *Secret) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return fmt.Errorf("a secret is encoded as a JSON string like \"env:NAME\": %v", err)
	}
	return s.UnmarshalText([]byte(text))
}
