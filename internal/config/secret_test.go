package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canary is a secret value no output may ever contain.
const canary = "hunter2-canary-value"

func TestSecretNeverLeaks(t *testing.T) {
	s := ValueSecret("test", canary)
	env := EnvSecret("SLACK_BOT_TOKEN")
	if err := env.Resolve(mapEnv(map[string]string{"SLACK_BOT_TOKEN": canary})); err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.Slack.BotToken = env
	cfg.Warehouses["w"] = Warehouse{Name: "w", Postgres: &Postgres{DSN: s}}
	hidden := struct{ inner Secret }{s} // unexported: fmt cannot call String
	jsonOf := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		return string(data)
	}
	text, _ := s.MarshalText()
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s), "%#v": fmt.Sprintf("%#v", s),
		//lint:ignore S1025 the test is about what the %s verb prints, not about String
		"%s": fmt.Sprintf("%s", s), "%q": fmt.Sprintf("%q", s), "%x": fmt.Sprintf("%x", s),
		"config %+v": fmt.Sprintf("%+v", *cfg), "config %#v": fmt.Sprintf("%#v", *cfg),
		"slack %+v": fmt.Sprintf("%+v", cfg.Slack), "slack %#v": fmt.Sprintf("%#v", cfg.Slack),
		"warehouse %+v":  fmt.Sprintf("%+v", *cfg.Warehouses["w"].Postgres),
		"unexported %+v": fmt.Sprintf("%+v", hidden), "unexported %#v": fmt.Sprintf("%#v", hidden),
		"json": jsonOf(s), "json slack": jsonOf(cfg.Slack), "json warehouse": jsonOf(cfg.Warehouses["w"]),
		"text": string(text), "String": env.String(), "GoString": env.GoString(),
	}
	for name, out := range outputs {
		if strings.Contains(out, canary) || strings.Contains(out, fmt.Sprintf("%x", canary)) {
			t.Errorf("%s reveals the secret: %s", name, out)
		}
	}
	for name, want := range map[string]string{"%v": "value:test (set)", "json": `"value:test"`, "String": "env:SLACK_BOT_TOKEN (set)"} {
		if outputs[name] != want {
			t.Errorf("%s = %s, want %s", name, outputs[name], want)
		}
	}
	if env.Value() != canary || s.Value() != canary {
		t.Errorf("Value() = %q, %q; want the canary from both", env.Value(), s.Value())
	}
}

func TestSecretResolve(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := mapEnv(map[string]string{"SET": "from-env", "BLANK": ""})
	tests := []struct {
		secret  Secret
		value   string
		wantErr string
	}{
		{EnvSecret("SET"), "from-env", ""},
		{EnvSecret("MISSING"), "", "environment variable MISSING is not set"},
		{EnvSecret("BLANK"), "", "environment variable BLANK is set but empty"},
		{FileSecret(file), "from-file", ""},
		{FileSecret(filepath.Join(dir, "nope")), "", "secret file " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{Secret{}, "", ""},
		{ValueSecret("dre-dev", "v"), "v", ""},
		{Secret{kind: "value", ref: "dre-dev"}, "", "secret value:dre-dev was produced at run time elsewhere and cannot be resolved here"},
	}
	for _, tt := range tests {
		s := tt.secret
		got := ""
		if err := s.Resolve(env); err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("Resolve(%s) error = %q, want %q", tt.secret.Ref(), got, tt.wantErr)
		}
		if s.Value() != tt.value {
			t.Errorf("Resolve(%s) value = %q, want %q", tt.secret.Ref(), s.Value(), tt.value)
		}
	}
}

func TestSecretReference(t *testing.T) {
	tests := []struct {
		secret   Secret
		set      bool
		ref, str string
	}{
		{EnvSecret("A"), true, "env:A", "env:A (unresolved)"},
		{FileSecret("/run/s"), true, "file:/run/s", "file:/run/s (unresolved)"},
		{ValueSecret("dre-dev", "x"), true, "value:dre-dev", "value:dre-dev (set)"},
		{Secret{}, false, "", "(none)"},
	}
	for _, tt := range tests {
		s := tt.secret
		if s.IsSet() != tt.set || s.Ref() != tt.ref || s.String() != tt.str {
			t.Errorf("secret %s: IsSet %v Ref %q String %q; want %v %q %q", tt.ref, s.IsSet(), s.Ref(), s.String(), tt.set, tt.ref, tt.str)
		}
		data, _ := json.Marshal(s)
		var back Secret
		if err := json.Unmarshal(data, &back); err != nil || back.Ref() != tt.ref || back.Value() != "" {
			t.Errorf("JSON round trip of %s = %q (value %q), %v; want the reference, unresolved", tt.ref, back.Ref(), back.Value(), err)
		}
	}
	var bad Secret
	if err := json.Unmarshal([]byte(`"xoxb-123"`), &bad); err == nil {
		t.Error(`unmarshalling "xoxb-123" as a secret reference succeeded, want an error`)
	}
}
