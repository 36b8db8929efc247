package people

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// Problem is one thing wrong with the people or groups of dre.yaml. Path
// locates it with the yaml key names, like people.alice.keys[1]; package
// config turns it into a file position.
type Problem struct {
	Path    string
	Message string
}

// String renders p as "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }

var (
	// personID keeps IDs usable in workflow IDs, audit records, CLI
	// arguments and dre.yaml key paths (people.alice.keys) without
	// quoting, as plain as warehouse names.
	personID = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	// Slack's ID shapes: users U/W, workspaces T (E for Enterprise Grid
	// organizations), user groups S.
	slackUser  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackTeam  = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	slackGroup = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
)

// ValidSlackTeam reports whether id looks like a Slack workspace ID
// (T..., or E... for an Enterprise Grid organization).
func ValidSlackTeam(id string) bool { return slackTeam.MatchString(id) }

// validator collects problems and remembers who claimed each Slack ID and
// key first, to report clashes.
type validator struct {
	list       []Problem
	slackOwner map[string]string // Slack user ID -> path of first claim
	keyOwner   map[string]string // fingerprint -> path of first claim
}

func (v *validator) addf(path, format string, args ...any) {
	v.list = append(v.list, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks the directory against the configured warehouses (name
// to kind) and returns every problem, people in ID order, then groups.
func Validate(d *Directory, warehouses map[string]WarehouseKind) []Problem {
	v := &validator{slackOwner: map[string]string{}, keyOwner: map[string]string{}}
	for _, id := range d.IDs() {
		v.checkPerson(d.people[id], warehouses)
	}
	for _, name := range d.GroupNames() {
		v.checkGroup(d, d.groups[name])
	}
	return v.list
}

// checkPerson checks one person's ID, Slack identity, keys and principals.
func (v *validator) checkPerson(p Person, warehouses map[string]WarehouseKind) {
	path := "people." + p.ID
	if !personID.MatchString(p.ID) {
		v.addf(path, "person ID %q must be lowercase letters, digits, _ or -, starting with a letter", p.ID)
	}
	if p.SlackUser != "" {
		v.checkSlackUser(path+".slack_user", p.SlackUser)
	}
	if p.SlackTeam != "" && !slackTeam.MatchString(p.SlackTeam) {
		v.addf(path+".slack_team", "want a Slack workspace ID like T0123ABCD, got %q", p.SlackTeam)
	}
	for i, k := range p.Keys {
		v.checkKey(fmt.Sprintf("%s.keys[%d]", path, i), k)
	}
	for _, wh := range sortedKeys(p.Principals) {
		v.checkPrincipal(path+".principals."+wh, wh, p.Principals[wh], warehouses)
	}
}

func (v *validator) checkSlackUser(path, user string) {
	if !slackUser.MatchString(user) {
		v.addf(path, "want a Slack user ID like U0123ABCD (in Slack: profile, ⋮, Copy member ID), got %q", user)
		return
	}
	if first, dup := v.slackOwner[user]; dup {
		v.addf(path, "Slack user %s is also %s; a Slack user is one person", user, first)
		return
	}
	v.slackOwner[user] = path
}

func (v *validator) checkKey(path string, k PublicKey) {
	if k.Key == nil {
		return // not parsed: its own problem was reported where it is written
	}
	fp := k.Fingerprint()
	if first, dup := v.keyOwner[fp]; dup {
		v.addf(path, "key %s is also %s; a key belongs to one person", fp, first)
		return
	}
	v.keyOwner[fp] = path
}

func (v *validator) checkPrincipal(path, warehouse, principal string, warehouses map[string]WarehouseKind) {
	kind, known := warehouses[warehouse]
	if !known {
		v.addf(path, "unknown warehouse %q; principals are keyed by the names under warehouses: (%v)", warehouse, sortedKeys(warehouses))
		return
	}
	if err := CheckPrincipal(kind, principal); err != nil {
		v.addf(path, "%v", err)
	}
}

// checkGroup checks a group's name, members and Slack user groups.
func (v *validator) checkGroup(d *Directory, g Group) {
	path := "groups." + g.Name
	if !personID.MatchString(g.Name) {
		v.addf(path, "group name %q must be lowercase letters, digits, _ or -, starting with a letter", g.Name)
	}
	if _, clash := d.people[g.Name]; clash {
		v.addf(path, "%q is both a person and a group; rename one so approver lists are unambiguous", g.Name)
	}
	for i, id := range g.People {
		switch {
		case d.people[id].ID == "":
			v.addf(fmt.Sprintf("%s.people[%d]", path, i), "unknown person %q; add people.%s to dre.yaml or fix the name (people: %v)", id, id, d.IDs())
		case slices.Index(g.People, id) < i:
			v.addf(fmt.Sprintf("%s.people[%d]", path, i), "%s is listed twice", id)
		}
	}
	for i, s := range g.SlackGroups {
		if !slackGroup.MatchString(s) {
			v.addf(fmt.Sprintf("%s.slack_groups[%d]", path, i), "want a Slack user group ID like S0123ABCD, got %q", s)
		}
	}
}

// sortedKeys returns a map's keys in order, for stable problem lists.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
