package localpg_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/localpg"
)

func TestPortFileKeepsThePortAcrossRestarts(t *testing.T) {
	dir, portFile := tempDataDir(t), filepath.Join(t.TempDir(), "pg-port")
	first := startCluster(t, localpg.Options{DataDir: dir, PortFile: portFile})
	assertPortFile(t, portFile, first.Port())
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	second := startCluster(t, localpg.Options{DataDir: dir, PortFile: portFile})
	if second.Port() != first.Port() || second.MovedFrom() != 0 {
		t.Errorf("restart: port %d (moved from %d), want the remembered %d", second.Port(), second.MovedFrom(), first.Port())
	}
	if got := queryInt(t, second.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 = %d", got)
	}
}

func TestPortFileMovesOffATakenPort(t *testing.T) {
	dir, portFile := tempDataDir(t), filepath.Join(t.TempDir(), "pg-port")
	first := startCluster(t, localpg.Options{DataDir: dir, PortFile: portFile})
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first.Port()))
	if err != nil {
		t.Fatalf("taking the remembered port: %v", err)
	}
	defer l.Close()
	second := startCluster(t, localpg.Options{DataDir: dir, PortFile: portFile})
	if second.Port() == first.Port() || second.MovedFrom() != first.Port() {
		t.Errorf("remembered port taken: now on %d, moved from %d; want a new port, moved from %d", second.Port(), second.MovedFrom(), first.Port())
	}
	assertPortFile(t, portFile, second.Port())
}

func TestPortFileWithoutAPortStartsNothing(t *testing.T) {
	dir, portFile := tempDataDir(t), filepath.Join(t.TempDir(), "pg-port")
	if err := os.WriteFile(portFile, []byte("fifty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := localpg.Start(t.Context(), localpg.Options{DataDir: dir, PortFile: portFile, Ephemeral: true})
	if err == nil {
		c.Stop()
		t.Fatal("Start with a port file holding no port succeeded")
	}
	if !strings.Contains(err.Error(), portFile) || !strings.Contains(err.Error(), `"fifty"`) || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("error %q does not name the file, its content and the way out", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		t.Error("initdb ran although Start failed on the port file")
	}
	assertFileHolds(t, portFile, "fifty\n")
}

// assertPortFile fails unless path records port.
func assertPortFile(t *testing.T, path string, port int) {
	t.Helper()
	assertFileHolds(t, path, strconv.Itoa(port)+"\n")
}

func assertFileHolds(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || string(b) != want {
		t.Errorf("%s holds %q (%v), want %q", path, b, err, want)
	}
}
