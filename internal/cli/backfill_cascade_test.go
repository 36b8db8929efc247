package cli_test

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// A cascade rewrites every dataset in full from its own source, so the
// flags that narrow or replace one dataset's rewrite are refused before
// anything is read or started.
func TestBackfillCascadeRefusesFlagsItCannotHonour(t *testing.T) {
	for _, flag := range [][]string{{"--select", "SELECT 1"}, {"--only", "missing"}, {"--partitions", "2026-01-02"}, {"--validate", "rowcount"}} {
		args := append([]string{"backfill", "start", "orders", "--cascade", "--from", "2026-01-01", "--to", "2026-02-01"}, flag...)
		res := clitest.Run(t, map[string]string{"DRE_CONFIG": "/nonexistent/dre.yaml"}, args...)
		if res.Code != 2 || !strings.Contains(res.Stderr, flag[0]+" does not go with --cascade") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error naming %s", flag, res.Code, res.Stderr, flag[0])
		}
	}
}
