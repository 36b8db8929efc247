package deploy

import (
	"os/exec"
	"strings"
	"testing"
)

// devOnly are the packages only `dre dev` may link: the image is built
// with -tags nodev to leave them out (see deploy/Dockerfile).
var devOnly = []string{"go.temporal.io/server/", "github.com/temporalio/ui-server/", "github.com/dre-dev/dre/internal/devserver",
	"github.com/dre-dev/dre/internal/localpg", "github.com/dre-dev/dre/internal/demo"}

func TestProductionBuildLeavesOutTheDevStack(t *testing.T) {
	// go test puts its own go first on PATH.
	cmd := exec.Command("go", "list", "-deps", "-tags", "nodev", "../../cmd/dre")
	cmd.Env = append(cmd.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps -tags nodev ./cmd/dre: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list found only %d dependencies of cmd/dre: %q", len(deps), deps)
	}
	for _, dep := range deps {
		for _, banned := range devOnly {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the production build links %s: a file that imports it needs //go:build !nodev", dep)
			}
		}
	}
}
