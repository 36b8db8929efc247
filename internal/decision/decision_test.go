package decision

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestCanonical pins the signed bytes: changing them invalidates every
// signature made by other tools over the documented form.
func TestCanonical(t *testing.T) {
	d := sampleDecision()
	d.Target = `public."<orders>" & "ü"`
	d.At = time.Date(2026, 12, 6, 17, 59, 0, 500_000_000, time.FixedZone("CET", 3600))
	want := `{"v":1,"workflow_id":"backfill/orders/2026-12-01..2026-12-05","action":"approve","target":"public.\"<orders>\" & \"ü\"","decider":"alice","at":"2026-12-06T16:59:00.5Z","nonce":"0123456789abcdef0123456789abcdef"}`
	if got := string(d.Canonical()); got != want {
		t.Errorf("Canonical =\n %s\nwant\n %s", got, want)
	}
	d.OnBehalfOf = "slack:T1/U2"
	relayed := strings.Replace(want, `"decider":"alice",`, `"decider":"alice","on_behalf_of":"slack:T1/U2",`, 1)
	if got := string(d.Canonical()); got != relayed {
		t.Errorf("Canonical with OnBehalfOf =\n %s\nwant\n %s", got, relayed)
	}
}

func TestCheck(t *testing.T) {
	edit := func(f func(*Decision)) Decision { d := sampleDecision(); f(&d); return d }
	tests := []struct {
		name string
		d    Decision
		says string
	}{
		{"no workflow", edit(func(d *Decision) { d.WorkflowID = "" }), "no workflow ID"},
		{"no decider", edit(func(d *Decision) { d.Decider = "" }), "no decider"},
		{"invalid UTF-8", edit(func(d *Decision) { d.Action = "appr\xffove" }), "invalid UTF-8"},
		{"zero time", edit(func(d *Decision) { d.At = time.Time{} }), "no time"},
		{"short nonce", edit(func(d *Decision) { d.Nonce = "abc" }), "16 to 128"},
		{"control in on_behalf_of", edit(func(d *Decision) { d.OnBehalfOf = "slack:T1/U2\n" }), "on_behalf_of"},
	}
	for _, tt := range tests {
		err := tt.d.Check()
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: Check = %v, want it to say %q", tt.name, err, tt.says)
		}
		if _, signErr := Sign(tt.d, newSigner(t, "ed25519")); signErr == nil {
			t.Errorf("%s: Sign accepted a decision Check refuses", tt.name)
		}
	}
	if err := sampleDecision().Check(); err != nil {
		t.Errorf("Check(sample) = %v", err)
	}
}

func TestNewNonce(t *testing.T) {
	a, errA := NewNonce()
	b, errB := NewNonce()
	if errA != nil || errB != nil || a == b || !nonceShape.MatchString(a) || len(a) != 32 {
		t.Errorf("NewNonce = %q, %q (%v, %v); want two different 32-digit hex strings", a, b, errA, errB)
	}
}

// TestDecisionSurvivesJSON: a decision sent through Temporal (whose
// default converter is JSON) still verifies, local time zone and all.
func TestDecisionSurvivesJSON(t *testing.T) {
	alice := newSigner(t, "ed25519")
	d := sampleDecision()
	d.At = d.At.In(time.FixedZone("EST", -5*3600)).Add(123456789 * time.Nanosecond)
	armored := mustSign(t, d, alice)
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(back, armored, directory(t, map[string][]ssh.Signer{"alice": {alice}}), now, DefaultMaxAge); err != nil {
		t.Errorf("Verify after a JSON round trip (%s): %v", data, err)
	}
}
