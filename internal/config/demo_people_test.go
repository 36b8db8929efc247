package config_test

import (
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
)

// TestDemoPeople: the demo knows its owner, the approver its datasets
// name, and accepts unsigned decisions (loudly commented in the file).
func TestDemoPeople(t *testing.T) {
	cfg, err := config.Parse("demo/dre.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatalf("demo config does not parse: %v", err)
	}
	customers, _ := cfg.Catalog.Lookup("customers")
	owner, err := cfg.People.BySlackUser(customers.PII.Approvers[0])
	if err != nil {
		t.Fatalf("the customers approver is not a person: %v", err)
	}
	role, err := cfg.People.Principal(owner.ID, "local")
	if owner.ID != "demo-owner" || err != nil || role != demo.OwnerRole {
		t.Errorf("demo owner = %s with role %q (%v), want demo-owner with %s", owner.ID, role, err, demo.OwnerRole)
	}
	group, err := cfg.People.Group("data-owners")
	if err != nil || len(group.People) != 1 || group.People[0] != "demo-owner" {
		t.Errorf("data-owners = %+v, %v", group, err)
	}
	if !cfg.Decisions.AllowUnsigned {
		t.Error("the demo must accept unsigned decisions: its CLI examples sign nothing")
	}
}
