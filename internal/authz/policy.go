package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/people"
)

// Policy is the authz: section of dre.yaml: who may take each decision,
// and per-dataset overrides of that.
//
//	authz:
//	  rules:
//	    triage.resolve: [oncall]          # a group
//	    backfill.approve: [owner, alice]  # a role and a person
//	  datasets:
//	    customers:
//	      access.approve: [security]
type Policy struct {
	// Rules maps a decision (see Actions) to the subjects who may take it.
	Rules map[string][]string `yaml:"rules" json:"rules,omitempty"`
	// Datasets maps a dataset name to rules that replace Rules for it.
	Datasets map[string]map[string][]string `yaml:"datasets" json:"datasets,omitempty"`
}

// Decider is who takes a decision, as far as it is proven.
type Decider struct {
	// Person is their ID under people: in dre.yaml, "" if unknown.
	Person string
	// Name is the name the decision gives: a person ID, a Slack user ID
	// or, unverified, whatever the caller typed.
	Name string
	// NameCounts says Name itself may be matched against the names in
	// rules and lists: it is a Slack user ID the gateway vouched for, or
	// nothing is verified anyway (decisions.allow_unsigned).
	NameCounts bool
	// PagerDuty marks a decision made in PagerDuty and passed on by the
	// gateway; the role pagerduty admits it.
	PagerDuty bool
	// SlackGroups are the Slack user groups (S...) the decider belongs to,
	// as the gateway found them in Slack and signed; a group under groups:
	// that lists one of them admits the decider.
	SlackGroups []string
}

// Facts are what a rule's roles refer to, for the decision at hand.
type Facts struct {
	// Dataset selects the per-dataset rules; "" uses the general ones.
	Dataset string
	// OwnerTeam is the dataset's owner.team, a group under groups:.
	OwnerTeam string
	// Approvers are the decision's own approvers (people, groups or Slack
	// user IDs): pii.approvers, lifecycle.approvers, a step's approvers.
	Approvers []string
	// Requester is whoever asked for the work, by person ID, Slack user
	// ID or name; they may not approve it.
	Requester string
}

// Rule returns the subjects who may take action on dataset, and where
// that rule comes from, for messages.
func (p Policy) Rule(action, dataset string) (subjects []string, from string) {
	if rules, ok := p.Datasets[dataset]; ok && dataset != "" {
		if s, ok := rules[action]; ok {
			return s, "authz.datasets." + dataset + "." + action
		}
	}
	if s, ok := p.Rules[action]; ok {
		return s, "authz.rules." + action
	}
	return defaults[action], "the default for " + action
}

// Check returns nil when who may take action, or a *Refusal saying why
// not and who may. An unknown action is refused: a decision the policy
// does not name is not one anybody may take.
func (p Policy) Check(dir *people.Directory, action string, who Decider, f Facts) error {
	if !Known(action) {
		return &Refusal{Action: action, Who: who.Name, Reason: ReasonUnknownAction}
	}
	m := matcher{dir: dir, who: who}
	if slices.Contains(selfApproval, action) && m.isRequester(f.Requester) {
		return &Refusal{Action: action, Who: who.Name, Reason: ReasonSelfApproval}
	}
	subjects, from := p.Rule(action, f.Dataset)
	// strict: "approvers" with none listed admits nobody (see admits).
	strict := !strings.HasPrefix(from, "the default") || !slices.Contains(openWithoutApprovers, action)
	for _, s := range subjects {
		if m.admits(s, f, strict) {
			return nil
		}
	}
	return &Refusal{Action: action, Who: who.Name, Reason: ReasonNotAllowed, Allowed: m.describe(subjects, f), Rule: from}
}

// matcher matches one decider against subjects.
type matcher struct {
	dir *people.Directory
	who Decider
}

// admits reports whether subject s covers the decider. "approvers" with
// no approvers listed admits nobody, except under the default rule of a
// decision whose approvers are optional (see openWithoutApprovers).
func (m matcher) admits(s string, f Facts, strict bool) bool {
	switch s {
	case Anyone:
		return true
	case PagerDuty:
		return m.who.PagerDuty
	case Requester:
		return m.isRequester(f.Requester)
	case Owner:
		return f.OwnerTeam != "" && m.named(f.OwnerTeam)
	case Approvers:
		if len(f.Approvers) == 0 {
			return !strict
		}
		return slices.ContainsFunc(f.Approvers, m.named)
	}
	return m.named(s)
}

// named reports whether name (a person ID, group, or Slack user ID) is
// the decider or a group they belong to.
func (m matcher) named(name string) bool {
	if m.who.NameCounts && sameIdentity(name, m.who.Name) {
		return true
	}
	if m.dir == nil {
		return false
	}
	if m.who.Person != "" && (name == m.who.Person || m.personOf(name) == m.who.Person) {
		return true
	}
	g, err := m.dir.Group(name)
	if err != nil {
		return false
	}
	return (m.who.Person != "" && slices.Contains(g.People, m.who.Person)) ||
		slices.ContainsFunc(g.SlackGroups, func(s string) bool { return slices.Contains(m.who.SlackGroups, s) })
}

// isRequester reports whether the decider is who asked, by any name.
func (m matcher) isRequester(requester string) bool {
	if requester == "" {
		return false
	}
	if sameIdentity(m.who.Name, requester) {
		return true
	}
	return m.who.Person != "" && m.personOf(requester) == m.who.Person
}

// personOf maps a person ID, cli:<id> or Slack user ID to a person ID.
func (m matcher) personOf(name string) string {
	if m.dir == nil {
		return ""
	}
	for _, id := range []string{name, strings.TrimPrefix(name, "cli:")} {
		if p, err := m.dir.Person(id); err == nil {
			return p.ID
		}
	}
	if p, err := m.dir.BySlackUser(name); err == nil {
		return p.ID
	}
	return ""
}

// describe spells the rule's subjects out for a refusal: roles become
// what they stand for here.
func (m matcher) describe(subjects []string, f Facts) []string {
	var out []string
	for _, s := range subjects {
		switch s {
		case Owner:
			out = append(out, "owner ("+orNone(f.OwnerTeam)+")")
		case Approvers:
			out = append(out, "approvers ("+orNone(strings.Join(f.Approvers, ", "))+")")
		case Requester:
			out = append(out, "requester ("+orNone(f.Requester)+")")
		case PagerDuty:
			out = append(out, "PagerDuty users (pagerduty)")
		default:
			out = append(out, s)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// sameIdentity compares two names ignoring case and a cli: prefix, so
// "cli:alice" is "alice".
func sameIdentity(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "cli:")) }
	return a != "" && norm(a) == norm(b)
}

// Refusal is a decision the policy does not allow.
type Refusal struct {
	Action  string
	Who     string
	Reason  string
	Allowed []string // the rule's subjects, spelled out
	Rule    string   // where the rule comes from
}

// The reasons of a Refusal, also the reason label of the refusal metric.
const (
	ReasonNotAllowed    = "not_allowed"
	ReasonSelfApproval  = "self_approval"
	ReasonUnknownAction = "unknown_action"
)

func (r *Refusal) Error() string {
	switch r.Reason {
	case ReasonSelfApproval:
		return fmt.Sprintf("%s cannot %s their own request (separation of duties); ask someone else allowed to decide", r.Who, verb(r.Action))
	case ReasonUnknownAction:
		return fmt.Sprintf("%q is not a decision dre knows; the decisions are %s", r.Action, strings.Join(Actions(), ", "))
	}
	rule := r.Rule + " in dre.yaml"
	if strings.HasPrefix(r.Rule, "the default") {
		rule = "the default rule; set authz.rules." + r.Action + " in dre.yaml to change it"
	}
	return fmt.Sprintf("%s may not %s (%s): it is limited to %s (%s); ask one of them",
		r.Who, verb(r.Action), r.Action, strings.Join(r.Allowed, ", "), rule)
}

// verb is an action in words, like "resolve an incident".
func verb(action string) string {
	if p, ok := phrases[action]; ok {
		return p
	}
	return action
}
