package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dre-dev/dre/tests/demoenv"
)

// dreWorker is `dre worker` running as a real subprocess (the test
// binary re-executed as dre), so kill -9, SIGTERM and resident memory are
// those of the production command.
type dreWorker struct {
	cmd     *exec.Cmd
	metrics string // host:port of /metrics, /healthz, /readyz
	logs    *lockedBuffer
	exited  chan error
}

var metricsLine = regexp.MustCompile(`metrics on http://(\S+)/metrics`)

// startDreWorker runs `dre worker --metrics 127.0.0.1:0 args...` with
// env added to the test's environment, and waits for its banner.
func startDreWorker(t *testing.T, env map[string]string, args ...string) *dreWorker {
	t.Helper()
	full := append([]string{"worker", "--metrics", "127.0.0.1:0"}, args...)
	cmd := exec.Command(os.Args[0], full...)
	cmd.Env = append(os.Environ(), execAsDRE+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &dreWorker{cmd: cmd, logs: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = w.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	banner := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if m := metricsLine.FindStringSubmatch(s.Text()); m != nil {
				banner <- m[1]
			}
			w.logs.Write([]byte(s.Text() + "\n"))
		}
	}()
	select {
	case w.metrics = <-banner:
	case err := <-w.exited:
		t.Fatalf("dre worker exited before polling: %v\n%s", err, w.logs)
	case <-time.After(2 * time.Minute):
		t.Fatalf("dre worker printed no banner within 2 minutes\n%s", w.logs)
	}
	return w
}

// scrape returns the worker's /metrics and how long the scrape took.
func (w *dreWorker) scrape(t *testing.T) (string, time.Duration) {
	t.Helper()
	started := time.Now()
	resp, err := http.Get("http://" + w.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body), time.Since(started)
}

// rssKB reads the process's resident memory from /proc.
func (w *dreWorker) rssKB(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// terminate sends SIGTERM and waits for the worker to exit on its own.
func (w *dreWorker) terminate(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.exited:
		if err != nil {
			t.Errorf("dre worker after SIGTERM: %v\n%s", err, w.logs)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("dre worker still runs 2 minutes after SIGTERM\n%s", w.logs)
	}
}

// kill9 kills the worker without warning: nothing is drained or flushed.
func (w *dreWorker) kill9(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-w.exited
}

// lockedBuffer keeps a child process's output for the test to read.
type lockedBuffer = demoenv.LockedBuffer
