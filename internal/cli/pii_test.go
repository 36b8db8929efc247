package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// piiConfig writes a catalog with one dataset and no reachable Temporal:
// every case below must fail before dialing.
func piiConfig(t *testing.T) map[string]string {
	path := filepath.Join(t.TempDir(), "dre.yaml")
	yaml := "warehouses:\n  wh:\n    postgres:\n      dsn: {env: PII_TEST_DSN}\ndatasets:\n  - name: signups\n    warehouse: wh\n    table: public.signups\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"DRE_CONFIG": path, "TEMPORAL_ADDRESS": "127.0.0.1:1", "PII_TEST_DSN": "postgres://localhost/x"}
}

func TestPIICommandsCheckFlagsBeforeDialing(t *testing.T) {
	e := piiConfig(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pii", "tag", "signups", "contact", "--sign", filepath.Join(t.TempDir(), "missing.pub")}, 1, "read signing key"},
		{[]string{"pii", "tag", "signups"}, 2, "want a dataset and a column"},
		{[]string{"pii", "scan", "--limit", "0"}, 2, "--limit 0"},
		{[]string{"pii", "scan", "--threshold", "1.5"}, 2, "a ratio above 0 up to 1"},
		{[]string{"pii", "scan", "--contains-threshold", "0"}, 2, "--contains-threshold 0"},
		{[]string{"pii", "scan", "signup"}, 1, `did you mean "signups"`},
		{[]string{"pii", "schedule", "--limit", "5000"}, 2, "--limit 5000"},
	}
	for _, c := range cases {
		res := clitest.Run(t, e, c.args...)
		if res.Code != c.code || !strings.Contains(res.Stderr, c.want) {
			t.Errorf("dre %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(c.args, " "), res.Code, res.Stderr, c.code, c.want)
		}
	}
}
