package cli_test

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

func TestTriageFollowupsAddListDone(t *testing.T) {
	cluster := localpgtest.Start(t)
	dsn := localpgtest.NewDatabase(t, cluster)
	cfg := writeConfig(t, "state:\n  dsn: {env: STATE_DSN}\nwarehouses:\n  local: {postgres: {dsn: {env: PG}}}\n"+
		"datasets:\n  - {name: orders, warehouse: local, table: public.orders}\n")
	env := map[string]string{"DRE_CONFIG": cfg, "STATE_DSN": dsn, "PG": "postgres://x", "USER": "bob"}
	run := func(args ...string) clitest.Result {
		return clitest.Run(t, env, append([]string{"triage", "followups"}, args...)...)
	}
	if r := run("add", "orders", "alert", "on", "late", "loads"); r.Code == 0 || !strings.Contains(r.Stderr, "--owner is required") {
		t.Fatalf("add without --owner: %d %q; want a usage error naming --owner", r.Code, r.Stderr)
	}
	if r := run("add", "nosuch", "--owner", "alice", "x"); r.Code == 0 {
		t.Fatalf("add of an unknown dataset succeeded: %q", r.Stdout)
	}
	r := run("add", "orders", "--owner", "alice", "--incident", "triage/orders", "alert", "on", "late", "loads")
	if r.Code != 0 || !strings.Contains(r.Stdout, "follow-up 1 of orders for alice") {
		t.Fatalf("add: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := run("list"); !strings.Contains(r.Stdout, "alert on late loads  (open, since") || !strings.Contains(r.Stdout, "triage/orders") {
		t.Fatalf("list: %q", r.Stdout)
	}
	if r := run("done", "1"); r.Code != 0 || !strings.Contains(r.Stdout, "follow-up 1 of orders done") {
		t.Fatalf("done: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := run("done", "1"); r.Code == 0 || !strings.Contains(r.Stderr, "closed by cli:bob") {
		t.Fatalf("second done: %d %q; want a refusal naming who closed it", r.Code, r.Stderr)
	}
	if r := run("list"); !strings.Contains(r.Stdout, "no follow-ups") {
		t.Fatalf("list after done: %q", r.Stdout)
	}
	if r := run("list", "--all"); !strings.Contains(r.Stdout, "done by cli:bob") {
		t.Fatalf("list --all: %q", r.Stdout)
	}
}
