package decision

import (
	"testing"

	"golang.org/x/crypto/ssh"
)

// BenchmarkVerifyDecision measures what signature checking adds to an
// update validator, per decision and key type, with a directory of 200
// people. Issue 16's target is under 1 ms.
func BenchmarkVerifyDecision(b *testing.B) {
	for _, kind := range []string{"ed25519", "rsa", "ecdsa"} {
		b.Run(kind, func(b *testing.B) {
			alice := newSigner(b, kind)
			keys := map[string][]ssh.Signer{"alice": {alice}}
			for i := range 199 {
				keys["person"+string(rune('a'+i%26))+string(rune('a'+i/26))] = []ssh.Signer{newSigner(b, "ed25519")}
			}
			dir := directory(b, keys)
			d := sampleDecision()
			armored := mustSign(b, d, alice)
			for b.Loop() {
				if _, err := Verify(d, armored, dir, now, DefaultMaxAge); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
