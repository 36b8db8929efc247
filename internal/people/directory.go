package people

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Errors the lookups wrap, for callers that branch on the kind of
// refusal; the wrapping message says what to add to dre.yaml.
var (
	ErrUnknownPerson   = errors.New("unknown person")
	ErrUnknownSlack    = errors.New("unknown Slack user")
	ErrUnknownKey      = errors.New("unknown signing key")
	ErrUnknownGroup    = errors.New("unknown group")
	ErrNoPrincipal     = errors.New("no warehouse principal")
	ErrPublicPrincipal = errors.New("principal names everyone")
)

// Directory answers who someone is: by person ID, Slack user ID or key
// fingerprint, and which warehouse principal they act as. It is
// read-only once built and safe for concurrent use. Lookups never do
// I/O, so workflow code (update validators) may call them.
type Directory struct {
	people  map[string]Person
	groups  map[string]Group
	bySlack map[string]string // Slack user ID -> person ID
	byKey   map[string]keyRef // fingerprint -> owner
}

// keyRef locates a key: its owner and its index in their Keys.
type keyRef struct {
	person string
	index  int
}

// NewDirectory indexes people and groups, filling in their IDs and names
// from the map keys. When two people claim one Slack ID or key, the first
// in ID order keeps it; Validate reports such clashes.
func NewDirectory(people map[string]Person, groups map[string]Group) *Directory {
	d := &Directory{people: map[string]Person{}, groups: map[string]Group{},
		bySlack: map[string]string{}, byKey: map[string]keyRef{}}
	for _, id := range slices.Sorted(maps.Keys(people)) {
		p := people[id]
		p.ID = id
		d.people[id] = p
		if _, taken := d.bySlack[p.SlackUser]; p.SlackUser != "" && !taken {
			d.bySlack[p.SlackUser] = id
		}
		for i, k := range p.Keys {
			if _, taken := d.byKey[k.Fingerprint()]; k.Key != nil && !taken {
				d.byKey[k.Fingerprint()] = keyRef{id, i}
			}
		}
	}
	for name, g := range groups {
		g.Name = name
		d.groups[name] = g
	}
	return d
}

// IDs returns every person's ID, sorted.
func (d *Directory) IDs() []string { return slices.Sorted(maps.Keys(d.people)) }

// GroupNames returns every group's name, sorted.
func (d *Directory) GroupNames() []string { return slices.Sorted(maps.Keys(d.groups)) }

// Person returns the person with id.
func (d *Directory) Person(id string) (Person, error) {
	p, ok := d.people[id]
	if !ok {
		return Person{}, fmt.Errorf("%w %q: dre.yaml has no people.%s; add it with their slack_user, keys and principals", ErrUnknownPerson, id, id)
	}
	return p, nil
}

// BySlackUser returns the person whose Slack user ID is user.
func (d *Directory) BySlackUser(user string) (Person, error) {
	id, ok := d.bySlack[user]
	if !ok {
		return Person{}, fmt.Errorf("%w %s: no one under people: in dre.yaml has slack_user: %s; add it to that person's entry", ErrUnknownSlack, user, user)
	}
	return d.people[id], nil
}

// ByFingerprint returns the owner of the key with the SHA256 fingerprint
// fp ("SHA256:..."), and the key as dre.yaml lists it.
func (d *Directory) ByFingerprint(fp string) (Person, PublicKey, error) {
	ref, ok := d.byKey[fp]
	if !ok {
		return Person{}, PublicKey{}, fmt.Errorf("%w %s: no one under people: in dre.yaml lists it; add the public key line (the .pub file) to its owner's keys", ErrUnknownKey, fp)
	}
	p := d.people[ref.person]
	return p, p.Keys[ref.index], nil
}

// SlackGroups returns every Slack user group ID any group lists, sorted
// and once each: the groups whose membership decides anything.
func (d *Directory) SlackGroups() []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, g := range d.groups {
		out = append(out, g.SlackGroups...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Group returns the group called name.
func (d *Directory) Group(name string) (Group, error) {
	g, ok := d.groups[name]
	if !ok {
		return Group{}, fmt.Errorf("%w %q: dre.yaml has no groups.%s; add it with its people", ErrUnknownGroup, name, name)
	}
	return g, nil
}

// Principal returns the warehouse principal person id acts as on
// warehouse: a PostgreSQL role or a BigQuery IAM member. A principal that
// stands for everyone (PUBLIC, allUsers) is refused even if dre.yaml was
// not validated.
func (d *Directory) Principal(id, warehouse string) (string, error) {
	p, err := d.Person(id)
	if err != nil {
		return "", err
	}
	principal, ok := p.Principals[warehouse]
	if !ok || principal == "" {
		return "", fmt.Errorf("%w for %s on warehouse %s: add people.%s.principals.%s to dre.yaml (a PostgreSQL role, or user:/group:/serviceAccount: on BigQuery)",
			ErrNoPrincipal, id, warehouse, id, warehouse)
	}
	if isEveryone(principal) {
		return "", fmt.Errorf("%w: people.%s.principals.%s is %s; give %s a principal of their own", ErrPublicPrincipal, id, warehouse, principal, id)
	}
	return principal, nil
}
