//go:build !nodev

package cli_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/cli/clitest"
)

// The tests of the full build's `dre dev`; dev_nodev_test.go has the
// production build's.

func TestDevRejectsUnknownFlags(t *testing.T) {
	if res := clitest.Run(t, nil, "dev", "--no-such-flag"); res.Code != 2 || !strings.Contains(res.Stderr, "unknown flag: --no-such-flag") {
		t.Errorf("unknown flag: exit %d (want 2), stderr %q", res.Code, res.Stderr)
	}
}

func TestDevWithTakenPortStartsNothing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	state := filepath.Join(t.TempDir(), "state")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := clitest.RunContext(ctx, t, nil, "dev", "--state-dir", state, "--temporal-port", strconv.Itoa(port), "--ui-port", "0", "--http", "127.0.0.1:0")
	if res.Code != 1 || !strings.Contains(res.Stderr, "Temporal frontend (gRPC) port 127.0.0.1:"+strconv.Itoa(port)+" is already in use") {
		t.Fatalf("dev on a taken port: exit %d, stderr %q", res.Code, res.Stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("dev on a taken port created its state directory (%v): it must start nothing", err)
	}
}

func TestDevWithoutPostgresNamesWhatToInstall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := map[string]string{"DRE_PG_BINDIR": t.TempDir()}
	res := clitest.RunContext(ctx, t, env, "dev", "--state-dir", filepath.Join(t.TempDir(), "s"), "--temporal-port", "0", "--ui-port", "0", "--http", "127.0.0.1:0")
	if res.Code != 1 || !strings.Contains(res.Stderr, "apt-get install postgresql") || !strings.Contains(res.Stderr, "brew install postgresql@16") {
		t.Fatalf("dev without PostgreSQL binaries: exit %d, stderr %q", res.Code, res.Stderr)
	}
}
