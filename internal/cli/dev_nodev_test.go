//go:build nodev

package cli_test

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

func TestDevExplainsItIsNotInTheProductionBuild(t *testing.T) {
	for _, args := range [][]string{{"dev"}, {"dev", "--demo", "--state-dir", "/nonexistent"}} {
		res := clitest.Run(t, nil, args...)
		if res.Code != 1 || !strings.Contains(res.Stderr, "dre dev is not in this build") || !strings.Contains(res.Stderr, "make build") {
			t.Errorf("dre %s in the nodev build: exit %d, stderr %q; want exit 1 naming the full build", strings.Join(args, " "), res.Code, res.Stderr)
		}
	}
}
