package localpg_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/localpg"
)

func TestFindBinDirFindsServerBinaries(t *testing.T) {
	t.Setenv("DRE_PG_BINDIR", "")
	dir, err := localpg.FindBinDir()
	if err != nil {
		t.Fatalf("FindBinDir: %v", err)
	}
	for _, name := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("FindBinDir returned %s, which has no %s: %v", dir, name, err)
		}
	}
}

func TestFindBinDirHonoursEnv(t *testing.T) {
	real, err := localpg.FindBinDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DRE_PG_BINDIR", real)
	if got, err := localpg.FindBinDir(); err != nil || got != real {
		t.Errorf("FindBinDir with DRE_PG_BINDIR=%s = %q, %v", real, got, err)
	}
	empty := t.TempDir()
	t.Setenv("DRE_PG_BINDIR", empty)
	_, err = localpg.FindBinDir()
	if !errors.Is(err, localpg.ErrNoBinaries) || !strings.Contains(err.Error(), empty) {
		t.Errorf("FindBinDir with an empty DRE_PG_BINDIR: err = %v, want ErrNoBinaries naming %s", err, empty)
	}
}

func TestStartWithoutBinariesSaysWhatToInstall(t *testing.T) {
	empty := t.TempDir()
	_, err := localpg.Start(t.Context(), localpg.Options{DataDir: tempDataDir(t), BinDir: empty})
	if err == nil {
		t.Fatal("Start with an empty BinDir succeeded")
	}
	for _, want := range []string{"initdb, postgres", "not found", "apt-get install postgresql", "brew install", "DRE_PG_BINDIR", empty} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
