package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
)

// ErrNoPolicy marks a worker started without dre.yaml's people and catalog.
const ErrNoPolicy = "NoPolicy"

// Policy is what the worker's own dre.yaml says about decisions: who is
// who (people: and groups:), the catalog with each dataset's approvers,
// and whether unsigned decisions count. Workflows fetch it from here
// rather than trust what their starter put in the input.
type Policy struct {
	People        *people.Directory
	Catalog       *catalog.Catalog
	AllowUnsigned bool
	// SlackRelay is the person whose key the gateway signs Slack
	// decisions with (decisions.slack_relay); SlackWorkspaces are the
	// Slack teams dre accepts (slack.workspaces; empty: any).
	SlackRelay      string
	SlackWorkspaces []string
	// Authz is who may take each decision (authz: in dre.yaml).
	Authz authz.Policy
}

// DecisionPolicy is what a workflow checks decisions against: the dataset
// as the worker's catalog has it, the directory to prove deciders with,
// decisions.allow_unsigned, the Slack relay and workspaces, and the
// authz: rules.
type DecisionPolicy struct {
	Dataset         catalog.Dataset   `json:"dataset"`
	People          *people.Directory `json:"people"`
	AllowUnsigned   bool              `json:"allowUnsigned"`
	SlackRelay      string            `json:"slackRelay,omitempty"`
	SlackWorkspaces []string          `json:"slackWorkspaces,omitempty"`
	Authz           authz.Policy      `json:"authz,omitzero"`
}

// AccessPolicy is the DecisionPolicy of one access request, whose
// dataset the catalog must have.
type AccessPolicy = DecisionPolicy

// AccessPolicy returns the policy for a request on dataset. A worker
// without a policy, or whose catalog lacks the dataset, refuses for good:
// no retry can change dre.yaml.
func (p *Policy) AccessPolicy(_ context.Context, dataset string) (AccessPolicy, error) {
	if p == nil || p.Catalog == nil || p.People == nil {
		err := errors.New("this worker has no dre.yaml policy (people and catalog), so it cannot check who decides; start it with dre worker or dre dev, which load dre.yaml")
		return AccessPolicy{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrNoPolicy, err)
	}
	ds, err := p.Catalog.Lookup(dataset)
	if err != nil {
		return AccessPolicy{}, temporal.NewNonRetryableApplicationError("the worker's dre.yaml: "+err.Error(), errInvalidInput, err)
	}
	return p.decisionPolicy(ds), nil
}

// DecisionPolicy returns the policy decisions on work about dataset are
// checked against. A dataset the catalog lacks (an incident reported on
// a table dre.yaml does not list) gets the general rules and no owner.
func (p *Policy) DecisionPolicy(_ context.Context, dataset string) (DecisionPolicy, error) {
	if p == nil || p.People == nil {
		err := errors.New("this worker has no dre.yaml policy (people and authz), so it cannot check who decides; start it with dre worker or dre dev, which load dre.yaml")
		return DecisionPolicy{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrNoPolicy, err)
	}
	ds := catalog.Dataset{Name: dataset}
	if p.Catalog != nil {
		if found, err := p.Catalog.Lookup(dataset); err == nil {
			ds = found
		}
	}
	return p.decisionPolicy(ds), nil
}

func (p *Policy) decisionPolicy(ds catalog.Dataset) DecisionPolicy {
	return DecisionPolicy{Dataset: ds, People: p.People, AllowUnsigned: p.AllowUnsigned,
		SlackRelay: p.SlackRelay, SlackWorkspaces: p.SlackWorkspaces, Authz: p.Authz}
}
