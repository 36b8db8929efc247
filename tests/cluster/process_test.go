package cluster

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/dre-dev/dre/tests/demoenv"
)

// process is a child process whose output is kept for failure reports.
type process struct {
	name   string
	args   []string
	env    []string
	cmd    *exec.Cmd
	logs   *lockedBuffer
	exited chan error
}

// startProcess starts name with args and extra environment; the test's
// cleanup kills it.
func startProcess(t testing.TB, name string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, args: args, env: env, logs: &lockedBuffer{}}
	p.start(t)
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *process) start(t testing.TB) {
	t.Helper()
	p.cmd = exec.Command(p.args[0], p.args[1:]...)
	p.cmd.Env = append(os.Environ(), p.env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.exited = make(chan error, 1)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	go func(cmd *exec.Cmd, exited chan error) { exited <- cmd.Wait() }(p.cmd, p.exited)
}

// kill9 kills the process with SIGKILL and waits until it is gone.
func (p *process) kill9(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s still runs 30 s after SIGKILL", p.name)
	}
}

// pause stops the process with SIGSTOP: it keeps its sockets and
// memberships but answers nothing, as a hung or partitioned host does.
func (p *process) pause(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %s: %v", p.name, err)
	}
}

// resume lets a paused process run on (SIGCONT).
func (p *process) resume(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("SIGCONT %s: %v", p.name, err)
	}
}

// restart starts the process again with the same command line.
func (p *process) restart(t testing.TB) {
	t.Helper()
	p.start(t)
}

func (p *process) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// lockedBuffer keeps a child process's output for the test to read.
type lockedBuffer = demoenv.LockedBuffer

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
