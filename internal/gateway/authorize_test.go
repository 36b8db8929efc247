package gateway

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type fakeGroups struct {
	members map[string][]string
	calls   int
}

func (f *fakeGroups) list(_ context.Context, group string) ([]string, error) {
	f.calls++
	if m, ok := f.members[group]; ok {
		return m, nil
	}
	return nil, errors.New("usergroup_not_found")
}

func TestAuthorizerUsersGroupsAndOpenSubcommands(t *testing.T) {
	groups := &fakeGroups{members: map[string][]string{"S0ENG": {"U0BOB"}}}
	a := &Authorizer{Allow: map[string][]string{"access": {"U0ADMIN", "S0ENG", "S0GONE"}}, Groups: groups.list}
	ctx := context.Background()
	for _, tt := range []struct {
		sub, user string
		allowed   bool
	}{
		{"triage", "U0ANYONE", true}, // not listed: open
		{"access", "U0ADMIN", true},  // listed user
		{"access", "U0BOB", true},    // member of a listed group
		{"access", "U0EVE", false},   // neither; a failing group lookup grants nothing
	} {
		err := a.Check(ctx, tt.sub, tt.user)
		if (err == nil) != tt.allowed {
			t.Errorf("Check(%s, %s) = %v, want allowed=%v", tt.sub, tt.user, err, tt.allowed)
		}
	}
	err := a.Check(ctx, "access", "U0EVE")
	if err == nil || !strings.Contains(err.Error(), "<!subteam^S0ENG>") || !strings.Contains(err.Error(), "slack.allow.access") {
		t.Fatalf("refusal %v should name who may and where it is configured", err)
	}
	before := groups.calls
	_ = a.Check(ctx, "access", "U0BOB")
	if groups.calls != before {
		t.Errorf("group members looked up again within the cache TTL")
	}
}

func TestNilAuthorizerAllowsEverything(t *testing.T) {
	var a *Authorizer
	if err := a.Check(context.Background(), "access", "U1"); err != nil {
		t.Fatal(err)
	}
}
