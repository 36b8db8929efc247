package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// devProcess is `dre dev` running as a subprocess.
type devProcess struct {
	cmd               *exec.Cmd
	ui, grpc, gateway string
	postgres          string // the warehouse DSN
	stderr            *bytes.Buffer
	exited            chan error
}

var (
	uiLine      = regexp.MustCompile(`Temporal UI:\s+(http://\S+?)/namespaces/`)
	grpcLine    = regexp.MustCompile(`Temporal gRPC:\s+(\S+)`)
	gatewayLine = regexp.MustCompile(`Gateway:\s+(http://\S+)`)
	pgLine      = regexp.MustCompile(`PostgreSQL:\s+(postgres://\S+)`)
)

// startDev runs `dre dev --demo` on free ports and waits for its ready banner.
func startDev(t *testing.T, stateDir string) *devProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "dev", "--demo", "--state-dir", stateDir,
		"--temporal-port", "0", "--ui-port", "0", "--http", "127.0.0.1:0", "--pg-port", "0")
	cmd.Env = append(os.Environ(), execAsDRE+"=1")
	cmd.Dir = stateDir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &devProcess{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if err := d.readBanner(stdout, 3*time.Minute); err != nil {
		t.Fatalf("dre dev: %v\nstderr:\n%s", err, d.stderr)
	}
	return d
}

// readBanner scans stdout for the addresses dre dev prints when ready.
func (d *devProcess) readBanner(stdout io.Reader, limit time.Duration) error {
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	deadline := time.After(limit)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return fmt.Errorf("exited before it was ready")
			}
			d.match(line)
			if strings.HasPrefix(line, "Press Ctrl-C") {
				go func() { // keep draining so the process never blocks on stdout
					for range lines {
					}
				}()
				return nil
			}
		case <-deadline:
			return fmt.Errorf("not ready after %s", limit)
		}
	}
}

func (d *devProcess) match(line string) {
	if m := uiLine.FindStringSubmatch(line); m != nil {
		d.ui = m[1]
	}
	if m := grpcLine.FindStringSubmatch(line); m != nil {
		d.grpc = m[1]
	}
	if m := gatewayLine.FindStringSubmatch(line); m != nil {
		d.gateway = m[1]
	}
	if m := pgLine.FindStringSubmatch(line); m != nil {
		d.postgres = m[1]
	}
}

func TestDevSmokeSurvivesKill9(t *testing.T) {
	stateDir := postgresReadableTempDir(t)
	dev := startDev(t, stateDir)
	expectHTTP200(t, dev.ui+"/")
	expectHTTP200(t, dev.gateway+"/readyz")

	cliEnv := map[string]string{"TEMPORAL_ADDRESS": dev.grpc, "DRE_CONFIG": filepath.Join(stateDir, "dre.yaml")}
	if res := clitest.Run(t, cliEnv, "catalog", "check", "orders"); res.Code != 0 {
		t.Fatalf("check orders through dre dev: exit %d", res.Code)
	}
	if res := clitest.Run(t, cliEnv, "catalog", "check", "customers", "--watch", "--every", "1h"); res.Code != 0 {
		t.Fatalf("watch customers: exit %d", res.Code)
	}
	waitFirstRound(t, dev.grpc, "customers")
	postmaster := postmasterPID(t, stateDir)
	if err := dev.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-dev.exited
	waitGone(t, postmaster)

	firstDSN := dev.postgres
	dev = startDev(t, stateDir)
	// --pg-port 0 means the port of the last run, so saved DSNs keep working.
	if dev.postgres == "" || dev.postgres != firstDSN {
		t.Errorf("PostgreSQL after the restart is at %q, before at %q: want the same port", dev.postgres, firstDSN)
	}
	c, err := client.Dial(client.Options{HostPort: dev.grpc, Logger: harness.QuietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	assertAfterRestart(t, c)
	stopDev(t, dev)
}

// assertAfterRestart checks that the namespace, the search attributes and the
// watch started before the kill are all there, and the watch still answers.
func assertAfterRestart(t *testing.T, c client.Client) {
	ctx := context.Background()
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributes() {
		if got := sa.GetCustomAttributes()[name]; got != typ {
			t.Errorf("after restart, search attribute %s = %s, want %s", name, got, typ)
		}
	}
	desc, err := c.DescribeWorkflowExecution(ctx, workflows.CheckWorkflowID("customers"), "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("watch of customers after restart: %v, %v; want running", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	var status workflows.CheckResult
	v, err := c.QueryWorkflow(ctx, workflows.CheckWorkflowID("customers"), "", workflows.StatusQuery)
	if err != nil || v.Get(&status) != nil || status.Status != workflows.CheckOK || status.Rounds != 1 {
		t.Errorf("status of the watch after restart = %+v, %v; want ok after 1 round", status, err)
	}
	found, err := c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: "default", Query: `DreKind = "check" AND DreDataset = "customers" AND ExecutionStatus = "Running"`,
	})
	if err != nil || found.GetCount() != 1 {
		t.Errorf("visibility query for the running watch: %v, %v; want 1", found.GetCount(), err)
	}
}

// waitFirstRound waits until the watch of dataset has finished a round, so
// that the kill hits a workflow that is parked on its durable timer.
func waitFirstRound(t *testing.T, addr, dataset string) {
	c, err := client.Dial(client.Options{HostPort: addr, Logger: harness.QuietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rounded := pollUntil(30*time.Second, 50*time.Millisecond, func() bool {
		var status workflows.CheckResult
		v, err := c.QueryWorkflow(context.Background(), workflows.CheckWorkflowID(dataset), "", workflows.StatusQuery)
		return err == nil && v.Get(&status) == nil && status.Rounds > 0
	})
	if !rounded {
		t.Fatalf("the watch of %s finished no round within 30s", dataset)
	}
}

// stopDev sends Ctrl-C and expects a clean exit.
func stopDev(t *testing.T, d *devProcess) {
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			t.Errorf("dre dev after Ctrl-C: %v\nstderr:\n%s", err, d.stderr)
		}
	case <-time.After(time.Minute):
		t.Errorf("dre dev did not stop within a minute of Ctrl-C")
	}
}

func expectHTTP200(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", url, resp.StatusCode)
	}
}

// postgresReadableTempDir is a temp dir the postgres OS user can enter
// (t.TempDir is private to root, and PostgreSQL runs as postgres).
func postgresReadableTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "dre-smoke-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func postmasterPID(t *testing.T, stateDir string) int {
	data, err := os.ReadFile(filepath.Join(stateDir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(data), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitGone fails unless pid exits soon: kill -9 of dre dev must not leave
// an orphan postmaster holding the data directory.
func waitGone(t *testing.T, pid int) {
	if !pollUntil(15*time.Second, 50*time.Millisecond, func() bool { return !alive(pid) }) {
		t.Fatalf("postmaster %d still runs 15s after dre dev was killed", pid)
	}
}

// alive reports whether pid runs; a zombie (dead, not yet reaped by whoever
// adopted it) counts as gone.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
