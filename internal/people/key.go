package people

import (
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// minRSABits is the smallest RSA modulus dre accepts for signing keys;
// OpenSSH itself refuses to make smaller ones.
const minRSABits = 2048

// PublicKey is one public signing key of a person, written as a line of
// an authorized_keys file ("ssh-ed25519 AAAA... comment") or of an
// allowed_signers file ("alice@example.com namespaces="..." ssh-ed25519
// AAAA..."), so people can paste what they already have.
type PublicKey struct {
	Key ssh.PublicKey
	// Namespaces, when not empty, limits the key to these signature
	// namespaces (the allowed_signers namespaces= option).
	Namespaces []string
	line       string
}

// ParsePublicKey parses a key line; see PublicKey.
func ParsePublicKey(line string) (PublicKey, error) {
	fields, err := splitUnquoted(strings.TrimSpace(line), func(r rune) bool { return r == ' ' || r == '\t' })
	if err != nil {
		return PublicKey{}, err
	}
	at := slices.IndexFunc(fields, isKeyType)
	if at < 0 || at+1 >= len(fields) {
		return PublicKey{}, fmt.Errorf("want a public key line like %q (the contents of ~/.ssh/id_ed25519.pub)", "ssh-ed25519 AAAA... you@laptop")
	}
	key, err := decodeKey(fields[at], fields[at+1])
	if err != nil {
		return PublicKey{}, err
	}
	if err := checkStrength(key); err != nil {
		return PublicKey{}, err
	}
	// In allowed_signers form the principals come first, then options;
	// dre names people itself, so it reads only the options.
	var namespaces []string
	if at > 1 {
		if namespaces, err = parseOptions(fields[1:at]); err != nil {
			return PublicKey{}, err
		}
	}
	return PublicKey{Key: key, Namespaces: namespaces, line: strings.TrimSpace(line)}, nil
}

// decodeKey decodes the base64 key blob of a key line and checks that
// it holds the key type the line names.
func decodeKey(keyType, b64 string) (ssh.PublicKey, error) {
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("the %s key is not valid base64; paste the whole line of the .pub file", keyType)
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, fmt.Errorf("the %s key does not decode (%v); paste the whole line of the .pub file", keyType, err)
	}
	if key.Type() != keyType {
		return nil, fmt.Errorf("the line says %s but holds a %s key", keyType, key.Type())
	}
	return key, nil
}

// keyAlgoDSA is named here, not through x/crypto's deprecated constant:
// dre only recognises DSA keys in order to refuse them.
const keyAlgoDSA = "ssh-dss"

// keyTypes are the public key algorithms a key line may name; certificate
// types are left out, as dre trusts keys, not certificate authorities.
var keyTypes = []string{
	ssh.KeyAlgoED25519, ssh.KeyAlgoSKED25519, ssh.KeyAlgoRSA, keyAlgoDSA,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521, ssh.KeyAlgoSKECDSA256,
}

// isKeyType reports whether field names an SSH public key algorithm.
func isKeyType(field string) bool { return slices.Contains(keyTypes, field) }

// checkStrength refuses DSA and short RSA keys, whose signatures do not
// protect an approval any more.
func checkStrength(key ssh.PublicKey) error {
	if key.Type() == keyAlgoDSA {
		return fmt.Errorf("ssh-dss (DSA) keys are too weak; use an ed25519 key (ssh-keygen -t ed25519)")
	}
	if ck, ok := key.(ssh.CryptoPublicKey); ok {
		if rk, isRSA := ck.CryptoPublicKey().(*rsa.PublicKey); isRSA && rk.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits is too short; use an ed25519 key or RSA of at least %d bits", rk.N.BitLen(), minRSABits)
		}
	}
	return nil
}

// parseOptions reads allowed_signers options. Only namespaces= is
// honoured; the others would change who may sign in ways dre does not
// check, so they are refused rather than silently ignored.
func parseOptions(fields []string) ([]string, error) {
	var namespaces []string
	for _, field := range fields {
		opts, err := splitUnquoted(field, func(r rune) bool { return r == ',' })
		if err != nil {
			return nil, err
		}
		for _, opt := range opts {
			name, value, _ := strings.Cut(opt, "=")
			if !strings.EqualFold(name, "namespaces") {
				return nil, fmt.Errorf("allowed_signers option %q is not supported by dre; remove it (only namespaces= is)", name)
			}
			for ns := range strings.SplitSeq(strings.Trim(value, `"`), ",") {
				namespaces = append(namespaces, strings.TrimSpace(ns))
			}
		}
	}
	return namespaces, nil
}

// splitUnquoted splits s at the runes isSep accepts, except inside
// double quotes, dropping empty parts: a quoted option value may hold
// commas and blanks.
func splitUnquoted(s string, isSep func(rune) bool) ([]string, error) {
	var parts []string
	var cur strings.Builder
	quoted := false
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case !quoted && isSep(r):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unmatched \" in key line")
	}
	flush()
	return parts, nil
}

// Fingerprint returns the key's SHA256 fingerprint as ssh-keygen -l
// prints it ("SHA256:..."), or "" for a zero PublicKey.
func (k PublicKey) Fingerprint() string {
	if k.Key == nil {
		return ""
	}
	return ssh.FingerprintSHA256(k.Key)
}

// AllowsNamespace reports whether the key may sign in namespace.
func (k PublicKey) AllowsNamespace(namespace string) bool {
	return len(k.Namespaces) == 0 || slices.Contains(k.Namespaces, namespace)
}

// UnmarshalText parses a key line, so dre.yaml can hold keys as strings.
func (k *PublicKey) UnmarshalText(text []byte) error {
	parsed, err := ParsePublicKey(string(text))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// MarshalText returns the line the key was parsed from.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.line), nil }

// String returns the line the key was parsed from.
func (k PublicKey) String() string { return k.line }
