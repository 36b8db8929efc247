package alerts

import (
	"bytes"
	"os"
	"testing"
)

// The expected form and signatures were computed with Python 3's own
// json.loads, urllib.parse.urlencode and hmac (SHA-512, secret
// "mc-secret") over testdata/montecarlo_signed.json, which holds nested
// objects, lists, floats either side of repr's exponent switch, None,
// booleans, quotes, escapes and non-ASCII text.
const (
	mcFormSignature = "24e2f41321ef432486194f9c78293960d6cf67903bf4aeadc7939331757cdef0fba3e2a5b1f77d524e40a2aeb9ae7528b8078e9df43d3bb85bccc97abf4a5088"
	mcBodySignature = "9a2e3cadfd61a8ddd785cac8b63aa985e4df57952e0e68dbcf65349e9fb77e1555e309a06234a242e962a6aec0abda6f515fdc1f8f715670b854d89699745034"
)

func TestPythonURLEncodedMatchesPython(t *testing.T) {
	body, err := os.ReadFile("testdata/montecarlo_signed.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/montecarlo_signed.form")
	if err != nil {
		t.Fatal(err)
	}
	got, err := PythonURLEncoded(body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("form\n %s\nwant Python's\n %s", got, want)
	}
}

func TestMonteCarloSignedAcceptsTheVendorsFormAndTheRawBody(t *testing.T) {
	body, err := os.ReadFile("testdata/montecarlo_signed.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, secret, sig string
		body              []byte
		want              bool
	}{
		{"Monte Carlo's form", "mc-secret", mcFormSignature, body, true},
		{"raw body", "mc-secret", mcBodySignature, body, true},
		{"wrong secret", "other", mcFormSignature, body, false},
		{"body changed", "mc-secret", mcFormSignature, bytes.Replace(body, []byte("inc-1"), []byte("inc-2"), 1), false},
		{"missing", "mc-secret", "", body, false},
		{"not hex", "mc-secret", "sha512=" + mcFormSignature, body, false},
		{"no secret", "", mcFormSignature, body, false},
	}
	for _, tt := range tests {
		if got := MonteCarloSigned(tt.body, tt.secret, tt.sig); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
