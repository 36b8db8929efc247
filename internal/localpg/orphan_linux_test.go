package localpg_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
)

// TestKilledParentLeavesNoOrphan kills -9 a process running a cluster and
// checks that the postmaster follows it, then that the data dir it left
// behind starts again.
func TestKilledParentLeavesNoOrphan(t *testing.T) {
	dir := tempDataDir(t)
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+dir)
	var stderr bytes.Buffer
	helper.Stderr = &stderr
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readPostmasterPID(t, bufio.NewReader(stdout), helper, &stderr)
	if !alive(pid) {
		t.Fatalf("postmaster %d not running while its parent lives", pid)
	}
	helper.Process.Kill() // SIGKILL: no chance to clean up
	helper.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(-pid, syscall.SIGKILL) // its process group: postmaster and backends
			t.Fatalf("postmaster %d outlived its killed parent by 5 s", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := startCluster(t, localpg.Options{DataDir: dir})
	if got := queryInt(t, c.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Error("restart after the kill does not answer")
	}
}

// readPostmasterPID reads the helper's "postmaster N" line.
func readPostmasterPID(t *testing.T, r *bufio.Reader, helper *exec.Cmd, stderr *bytes.Buffer) int {
	t.Helper()
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := r.ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case res := <-ch:
		pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(res.line, "postmaster ")))
		if err != nil {
			helper.Wait()
			t.Fatalf("helper said %q (%v); stderr:\n%s", res.line, res.err, stderr.String())
		}
		return pid
	case <-time.After(60 * time.Second):
		helper.Process.Kill()
		t.Fatal("helper did not report a postmaster within 60 s")
		return 0
	}
}

// alive reports whether pid exists and is not a zombie: the postmaster is
// reparented to init, which in a container may never reap it.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}
