package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/internal/cli/clitest"
)

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		if cmd.Runnable() && cmd.Example == "" {
			t.Errorf("dre %s has no examples in --help", cmd.CommandPath())
		}
		for _, sub := range cmd.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(cli.NewRootCommand(&cli.Options{}))
	res := clitest.Run(t, nil, "catalog", "check", "--help")
	if res.Code != 0 || !strings.Contains(res.Stdout, "Examples:") || !strings.Contains(res.Stdout, "dre catalog check orders") {
		t.Errorf("catalog check --help: exit %d, output lacks examples", res.Code)
	}
}

func TestVersionAndUsageErrors(t *testing.T) {
	if res := clitest.Run(t, nil, "version"); res.Code != 0 || !strings.HasPrefix(res.Stdout, "dre dev (go1.26") {
		t.Errorf("version: exit %d, %q", res.Code, res.Stdout)
	}
	if res := clitest.Run(t, nil, "catalog", "list", "--no-such-flag"); res.Code != 2 || !strings.Contains(res.Stderr, "unknown flag: --no-such-flag") {
		t.Errorf("unknown flag: exit %d (want 2), stderr %q", res.Code, res.Stderr)
	}
	if res := clitest.Run(t, nil, "catalog", "check"); res.Code != 2 || !strings.Contains(res.Stderr, "one dataset name") {
		t.Errorf("missing argument: exit %d (want 2), stderr %q", res.Code, res.Stderr)
	}
}

func TestCatalogSchemaIsJSON(t *testing.T) {
	res := clitest.Run(t, nil, "catalog", "schema")
	var schema map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &schema); err != nil || schema["$schema"] == nil {
		t.Fatalf("catalog schema: %v, want a JSON Schema document", err)
	}
}

func TestServicesRefuseEmbeddedWarehouses(t *testing.T) {
	path := writeConfig(t, "warehouses:\n  local:\n    postgres:\n      embedded: true\n")
	for _, cmd := range []string{"worker", "gateway"} {
		res := clitest.Run(t, map[string]string{"DRE_CONFIG": path}, cmd)
		if res.Code != 1 || !strings.Contains(res.Stderr, path+":4:") || !strings.Contains(res.Stderr, "only under dre dev") {
			t.Errorf("%s with an embedded warehouse: exit %d, stderr %q", cmd, res.Code, res.Stderr)
		}
	}
}

func TestServicesNeedTheirSecrets(t *testing.T) {
	path := writeConfig(t, "slack:\n  bot_token: {env: SLACK_BOT_TOKEN}\n  signing_secret: {env: SLACK_SIGNING_SECRET}\n")
	res := clitest.Run(t, map[string]string{"DRE_CONFIG": path}, "worker")
	for _, want := range []string{"SLACK_BOT_TOKEN is not set", "SLACK_SIGNING_SECRET is not set"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("worker without secrets: stderr lacks %q: %q", want, res.Stderr)
		}
	}
}

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
