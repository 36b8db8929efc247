package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// GetVersion IDs of the access request's endings. Runs recorded before
// them granted everything asked for, revoked it all at the end, did not
// read the ACL back, and left the grant in place when cancelled.
const (
	// accessStandingVersion: before granting, the principal's privileges
	// on the table are read; what they held already is neither granted
	// nor revoked.
	accessStandingVersion = "access-keep-standing-grants"
	// accessEndingsVersion: every ending (expiry, early revoke, cancel,
	// failure, a grant rolled back) revokes in a disconnected context and
	// reads the ACL back to prove the revocation.
	accessEndingsVersion = "access-revoke-on-every-ending"
)

// Ways an access request ends after the grant, in AccessRequestState.Ending.
const (
	endingExpiry  = "expiry"
	endingRequest = "request"
	endingCancel  = "cancel"
	endingFailure = "failure"
)

// recordStanding reads what the principal holds on the table before the
// grant, so that the request grants and later revokes only the rest.
func (r *accessRequest) recordStanding(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, accessStandingVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var a *activities.Access
	in := activities.AccessHeldInput{Warehouse: r.in.Dataset.Warehouse, Table: r.in.Dataset.Table, Principal: r.in.Principal}
	var held []warehouse.Grant
	if err := workflow.ExecuteActivity(grantOptions(ctx, "read "+r.in.Principal+"'s privileges on "+r.in.Dataset.Table), a.AccessHeld, in).Get(ctx, &held); err != nil {
		return err
	}
	r.added = []activities.AccessGrant{}
	for _, h := range held {
		if h.Column != "" {
			r.heldColumns = append(r.heldColumns, activities.AccessGrant{Warehouse: r.in.Dataset.Warehouse, Grant: h})
		}
	}
	for _, g := range r.grants() {
		if slices.ContainsFunc(held, func(h warehouse.Grant) bool { return activities.SameGrant(h, g.Grant) }) {
			r.state.Standing = append(r.state.Standing, grantTarget(g))
			continue
		}
		r.added = append(r.added, g)
	}
	return nil
}

// owned are the grants the request gives and takes back: those it added
// over the principal's standing privileges, or, in runs recorded before
// they were read, every grant asked for.
func (r *accessRequest) owned() []activities.AccessGrant {
	if r.added != nil {
		return r.added
	}
	return r.grants()
}

// endsEverywhere reports whether this run revokes on every ending and
// proves it. The marker is asked for where an ending begins, so runs
// granted before the change get it when they end.
func endsEverywhere(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, accessEndingsVersion, workflow.DefaultVersion, 1) >= 1
}

// endAbnormally is the ending of a granted request whose wait was cut
// short: the run was cancelled, or failed. The access is revoked in a
// disconnected context, which the cancel does not reach, and proven gone;
// a cancelled run then ends cancelled with its state as the details.
func (r *accessRequest) endAbnormally(ctx workflow.Context, cause error) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if !endsEverywhere(dctx) {
		return cause
	}
	ending := endingFailure
	if temporal.IsCanceledError(cause) {
		ending = endingCancel
	}
	r.state.EndedBy = ending
	if err := r.revoke(dctx); err != nil {
		return fmt.Errorf("the request ended by %s (%w), and its access could not all be revoked: %w", ending, cause, err)
	}
	if ending == endingCancel {
		return temporal.NewCanceledError(r.state)
	}
	return cause
}

// verifyRevoked reads the ACL back and fails, naming what is left, when a
// grant the request owns is still in effect.
func (r *accessRequest) verifyRevoked(ctx workflow.Context, grants []activities.AccessGrant) error {
	var a *activities.Access
	var left []activities.AccessGrant
	if err := workflow.ExecuteActivity(grantOptions(ctx, "read the grants on "+r.in.Dataset.Table+" back"), a.AccessRemaining, grants).Get(ctx, &left); err != nil {
		return fmt.Errorf("reading the grants back to prove the revocation: %w", err)
	}
	if len(left) == 0 {
		return nil
	}
	names := make([]string, 0, len(left))
	for _, g := range left {
		names = append(names, fmt.Sprintf("%s on %s", g.Grant.Privilege, grantTarget(g)))
	}
	r.state.NotRevoked = names
	return fmt.Errorf("%s still holds %s after the revocation; revoke it as the role that granted it", r.in.Principal, strings.Join(names, ", "))
}

// revokeOwned takes back what the request owns and, in runs that prove
// their endings, reads the ACL back.
func (r *accessRequest) revokeOwned(ctx workflow.Context) error {
	owned, proves := r.owned(), endsEverywhere(ctx)
	err := r.revokeAll(ctx, owned)
	if !proves || len(owned) == 0 {
		return err
	}
	return errors.Join(err, r.regrantColumns(ctx, owned), r.verifyRevoked(ctx, owned))
}

// endingText says how the access ended, for the state, Slack and audit.
func endingText(ending string, err error) string {
	if err != nil {
		return "could not revoke on " + ending
	}
	return "revoked on " + ending
}

// regrantColumns gives back the column privileges the principal held
// before the request when the request revoked a table-level grant:
// PostgreSQL's REVOKE on a table takes the same privilege off every
// column too, standing column grants included.
func (r *accessRequest) regrantColumns(ctx workflow.Context, owned []activities.AccessGrant) error {
	tableWide := slices.ContainsFunc(owned, func(g activities.AccessGrant) bool { return g.Grant.Column == "" })
	if !tableWide || len(r.heldColumns) == 0 {
		return nil
	}
	var a *activities.Access
	var failed []error
	for _, g := range r.heldColumns {
		if err := workflow.ExecuteActivity(grantOptions(ctx, "give back "+grantTarget(g)+" to "+g.Grant.Principal), a.GrantAccess, g).Get(ctx, nil); err != nil {
			failed = append(failed, fmt.Errorf("giving back %s's standing %s on %s: %w", g.Grant.Principal, g.Grant.Privilege, grantTarget(g), err))
		}
	}
	return errors.Join(failed...)
}
