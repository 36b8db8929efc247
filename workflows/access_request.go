package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Access request updates: approvers approve or deny a pending request;
// the requester or an approver revokes a granted one early.
const (
	AccessApproveUpdate = "approve"
	AccessDenyUpdate    = "deny"
	AccessRevokeUpdate  = "revoke"
)

// Access request statuses, also written to DreStatus.
const (
	AccessPending = "pending"
	AccessGranted = "granted"
	AccessDenied  = "denied"
	AccessRevoked = "revoked"
	AccessExpired = "expired"
	// AccessRevokeFailed is a request whose access could not all be
	// revoked: the state's NotRevoked and Ending say what and why.
	AccessRevokeFailed = "revoke-failed"
)

// Access request policy defaults.
const (
	DefaultMaxAccess       = 30 * 24 * time.Hour
	DefaultApprovalTimeout = 72 * time.Hour
)

// AccessRequestInput asks for time-bound read access to a PII dataset.
type AccessRequestInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	// Requester is who asks: a Slack user ID or cli:<user>.
	Requester string `json:"requester"`
	// Principal receives read access: a PostgreSQL role (SELECT), or a
	// BigQuery member such as user:ann@example.com (roles/bigquery.dataViewer
	// on the table, or, for columns, roles/datacatalog.categoryFineGrainedReader
	// on their policy tags).
	Principal string `json:"principal"`
	// Columns limits the grant to these columns; empty means the table.
	Columns  []string      `json:"columns,omitempty"`
	Duration time.Duration `json:"duration"`
	Reason   string        `json:"reason"`
	// ApprovalTimeout denies a request nobody decided on (default 72h).
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`
	// Incident ties the access to an open triage incident, triage/<dataset>:
	// it ends when the incident resolves, or at expiry, whichever is first.
	Incident string `json:"incident,omitempty"`
	// IncidentCheckEvery is how often the incident is checked (default 5m).
	IncidentCheckEvery time.Duration `json:"incidentCheckEvery,omitempty"`
}

// AccessDecision is the argument of every access request update. A
// signed decision proves who sent it: Signature is an armored SSH
// signature (decision.Sign) by one of By's keys over decision.Decision
// {WorkflowID: the request's ID, Action: the update's name, Target: the
// dataset, Decider: By, At, Nonce}. Without one, the decision counts only
// where the worker's dre.yaml sets decisions.allow_unsigned, and is
// recorded as unverified.
type AccessDecision struct {
	// By is who decides: their person ID under people: in dre.yaml (for
	// unsigned decisions also a Slack user ID or cli:<name>).
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	// Proof proves By sent it; its fields are inline in the JSON.
	Proof
}

// ViaSlack is AccessDecision.Via for decisions made in Slack.
const ViaSlack = "slack"

// SlackOnBehalfOf is the decision.Decision.OnBehalfOf of a Slack user's
// decision relayed by the gateway.
func SlackOnBehalfOf(team, user string) string { return "slack:" + team + "/" + user }

// SlackOnBehalfOfIn is SlackOnBehalfOf for a user the relay also vouches
// is in the Slack user groups given (Proof.SlackGroups), so a client cannot
// add a group to a relayed decision; without groups it is SlackOnBehalfOf.
func SlackOnBehalfOfIn(team, user string, groups []string) string {
	if len(groups) == 0 {
		return SlackOnBehalfOf(team, user)
	}
	return SlackOnBehalfOf(team, user) + " in " + strings.Join(groups, ",")
}

// AccessRequestState answers the status query and is the result.
type AccessRequestState struct {
	WorkflowID string `json:"workflowId"`
	Dataset    string `json:"dataset"`
	// Incident is the triage incident the access is for, if any.
	Incident  string   `json:"incident,omitempty"`
	Requester string   `json:"requester"`
	Principal string   `json:"principal"`
	Columns   []string `json:"columns,omitempty"`
	Status    string   `json:"status"`
	DecidedBy string   `json:"decidedBy,omitempty"`
	// DecisionKey is the fingerprint of the key that signed the approval
	// or denial, or "unverified".
	DecisionKey string    `json:"decisionKey,omitempty"`
	GrantedAt   time.Time `json:"grantedAt,omitzero"`
	ExpiresAt   time.Time `json:"expiresAt,omitzero"`
	EndedBy     string    `json:"endedBy,omitempty"`
	EndedAt     time.Time `json:"endedAt,omitzero"`
	// Ending says how the access ended: "revoked on expiry", "revoked on
	// cancel", "could not revoke on failure"...
	Ending string `json:"ending,omitempty"`
	// Standing are the privileges (table or table.column) the principal
	// held before the request: neither granted nor revoked by it.
	Standing []string `json:"standing,omitempty"`
	// NotRevoked are the privileges the ACL still showed after the
	// revocation.
	NotRevoked []string `json:"notRevoked,omitempty"`
}

// AccessRequest runs one access request: approval by a catalog approver
// who is not the requester, a verified grant, and a revocation at expiry
// by a durable timer. The timer fires even while no worker runs; the
// revocation then happens as soon as one is back, retried until verified.
func AccessRequest(ctx workflow.Context, in AccessRequestInput) (AccessRequestState, error) {
	if err := in.Validate(); err != nil {
		return AccessRequestState{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	r := &accessRequest{in: in, state: AccessRequestState{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Dataset: in.Dataset.Name,
		Requester: in.Requester, Principal: in.Principal, Columns: in.Columns, Status: AccessPending, Incident: in.Incident,
	}}
	r.usesWorkerPolicy(ctx)
	if err := r.registerHandlers(ctx); err != nil {
		return r.state, err
	}
	if err := r.loadPolicy(ctx); err != nil {
		return r.state, err
	}
	if err := r.requireOpenIncident(ctx); err != nil {
		return r.state, err
	}
	r.open(ctx)
	if err := r.awaitDecision(ctx); err != nil || r.state.Status != AccessGranted {
		return r.state, err
	}
	if err := r.awaitEnd(ctx); err != nil {
		return r.state, r.endAbnormally(ctx, err)
	}
	return r.state, r.revoke(ctx)
}

// Validate checks the request against the policy; starters call it to
// refuse a bad request before starting anything.
func (in AccessRequestInput) Validate() error {
	switch {
	case in.Dataset.Name == "" || in.Dataset.Warehouse == "" || in.Dataset.Table == "":
		return errors.New("an access request needs a catalog dataset with a name, a warehouse and a table")
	case len(in.Dataset.PII.Approvers) == 0:
		return fmt.Errorf("dataset %s lists no pii.approvers in the catalog, so nobody can approve access; add some", in.Dataset.Name)
	case in.Requester == "" || strings.TrimSpace(in.Reason) == "":
		return errors.New("say who asks and why: the requester and the reason are required")
	case in.Duration <= 0 || in.Duration > in.maxAccess():
		return fmt.Errorf("duration %s is not allowed for %s: ask for up to %s (pii.max_access)", in.Duration, in.Dataset.Name, in.maxAccess())
	}
	if _, err := warehouse.ParseTableRef(in.Dataset.Table); err != nil {
		return err
	}
	if err := validIncident(in.Incident); err != nil {
		return err
	}
	if err := validPrincipal(in.Principal); err != nil {
		return err
	}
	for _, name := range in.Columns {
		if err := warehouse.ValidIdentifier(name); err != nil {
			return err
		}
	}
	return nil
}

// validPrincipal checks a grantee: a BigQuery IAM member (kind:email) for
// one person or group, or else a PostgreSQL role name.
func validPrincipal(p string) error {
	if isIAMMember(p) {
		return people.CheckPrincipal(people.BigQuery, p)
	}
	return warehouse.ValidIdentifier(p)
}

// isIAMMember tells a BigQuery member (user:..., group:...) from a role name.
func isIAMMember(p string) bool { return strings.Contains(p, ":") }

// BigQuery roles an access request grants: read on the table, or read of
// the columns a policy tag protects.
const (
	bigQueryTableReader  = "roles/bigquery.dataViewer"
	bigQueryColumnReader = "roles/datacatalog.categoryFineGrainedReader"
)

// readPrivilege is what gives read access to the table (column "") or a
// column: SELECT in PostgreSQL; for a BigQuery member dataViewer on the
// table, or fine-grained reader on the column's policy tags.
func (r *accessRequest) readPrivilege(column string) string {
	switch {
	case !isIAMMember(r.in.Principal):
		return "SELECT"
	case column == "":
		return bigQueryTableReader
	}
	return bigQueryColumnReader
}

func (in AccessRequestInput) maxAccess() time.Duration {
	if m := in.Dataset.PII.MaxAccess.Duration; m > 0 {
		return m
	}
	return DefaultMaxAccess
}

// accessRequest is the state of one request; handlers change it, the
// main function runs the side effects.
type accessRequest struct {
	in      AccessRequestInput
	state   AccessRequestState
	decided bool
	ended   bool // revoked early
	note    string
	// guard holds the worker's dre.yaml for this request; its policy is
	// nil in runs recorded before it was fetched (and while loading).
	guard decisionGuard
	// decisionKey and endKey are the evidence of the decision and of an
	// early revocation: a key fingerprint or Unverified; "" before the
	// worker's policy was fetched.
	decisionKey, endKey string
	// added are the grants the request gave over the principal's standing
	// privileges, nil in runs recorded before those were read (see owned).
	added []activities.AccessGrant
	// ending is how the access ended: one of the ending* constants.
	ending string
	// heldColumns are the column privileges the principal held before
	// the request, which revoking a table-level grant takes away too.
	heldColumns []activities.AccessGrant
}

// grants are the privileges the request gives: SELECT on the table or on
// each requested column.
func (r *accessRequest) grants() []activities.AccessGrant {
	ref, _ := warehouse.ParseTableRef(r.in.Dataset.Table) // validated
	one := func(col string) activities.AccessGrant {
		return activities.AccessGrant{Warehouse: r.in.Dataset.Warehouse,
			Grant: warehouse.Grant{Table: ref, Principal: r.in.Principal, Privilege: r.readPrivilege(col), Column: col}}
	}
	if len(r.in.Columns) == 0 {
		return []activities.AccessGrant{one("")}
	}
	out := make([]activities.AccessGrant, 0, len(r.in.Columns))
	for _, c := range r.in.Columns {
		out = append(out, one(c))
	}
	return out
}

// what describes the access for messages and the audit log.
func (r *accessRequest) what() string {
	forIncident := ""
	if r.in.Incident != "" {
		forIncident = " during " + r.in.Incident
	}
	if len(r.in.Columns) == 0 {
		return fmt.Sprintf("%s on %s (%s) for %s%s", r.readPrivilege(""), r.in.Dataset.Name, r.in.Dataset.Table, r.in.Principal, forIncident)
	}
	return fmt.Sprintf("%s on %s (%s: %s) for %s%s", r.readPrivilege(r.in.Columns[0]), r.in.Dataset.Name, r.in.Dataset.Table, strings.Join(r.in.Columns, ", "), r.in.Principal, forIncident)
}

func (r *accessRequest) audit(ctx workflow.Context, action, actor, reason string) {
	r.auditDecision(ctx, action, actor, reason, "")
}

// auditDecision audits a decision with its evidence: the verified key's
// fingerprint, or Unverified ("" for runs without the worker's policy).
func (r *accessRequest) auditDecision(ctx workflow.Context, action, actor, reason, key string) {
	details := map[string]string{"requester": r.in.Requester, "access": r.what(), "duration": r.in.Duration.String()}
	if key != "" {
		details["verified_key"] = key
	}
	if r.in.Incident != "" {
		details["incident"] = r.in.Incident
	}
	auditEntry(ctx, activities.AuditEntry{
		Actor: actor, Action: action, Target: r.in.Dataset.Name + "/" + r.in.Principal, Reason: reason, Details: details,
	})
}

func (r *accessRequest) channel() string { return r.in.Dataset.Owner.SlackChannel }
