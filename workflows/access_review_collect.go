package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// registerHandlers answers the status query and takes decisions.
func (r *review) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (AccessReviewResult, error) { return r.res, nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, AccessReviewDecideUpdate, r.onDecide,
		workflow.UpdateHandlerOptions{Validator: r.validateDecide})
}

// decidable reports whether who may decide item: one of its approvers,
// never the holder of the grant (separation of duties).
func decidable(item ReviewItem, who string) bool {
	return item.Decision == "" && isApprover(who, item.Approvers) && !sameIdentity(who, item.Grant.Principal)
}

func (r *review) validateDecide(ctx workflow.Context, d ReviewDecision) error {
	if r.res.Status != "reviewing" {
		return fmt.Errorf("the review of %s is %s: decisions are taken only while it is reviewing", r.in.Period, r.res.Status)
	}
	if r.settle.closed {
		return fmt.Errorf("the review of %s takes no more decisions: its deadline passed or every grant is decided", r.in.Period)
	}
	if (d.By == "" && d.Via == "") || (d.Decision != ReviewKeep && d.Decision != ReviewRevoke) {
		return errors.New("say who decides and whether to keep or revoke")
	}
	if err := r.guard.ready(); err != nil {
		return err
	}
	i := -1
	if d.Grant != ReviewAll {
		i = slices.IndexFunc(r.res.Items, func(it ReviewItem) bool { return it.ID == d.Grant })
		if i < 0 {
			return fmt.Errorf("no grant %q in the review of %s; see dre access review status %s", d.Grant, r.in.Period, r.in.Period)
		}
		if it := r.res.Items[i]; it.Decision != "" {
			return fmt.Errorf("%s was already decided by %s: %s", d.Grant, it.DecidedBy, it.Decision)
		}
	}
	if r.guard.policy != nil {
		return r.vetDecision(ctx, d, i)
	}
	if i < 0 {
		return nil
	}
	d.By = legacyDecider(d.By, d.Proof)
	return r.validateLegacyDecision(d, r.res.Items[i])
}

// validateLegacyDecision is the check of runs recorded before the guard:
// the names as given, against the grant's approvers and holder.
func (r *review) validateLegacyDecision(d ReviewDecision, it ReviewItem) error {
	switch {
	case sameIdentity(d.By, it.Grant.Principal):
		return temporal.NewApplicationError(fmt.Sprintf("%s cannot decide on their own access (separation of duties); another approver decides %s", d.By, d.Grant), ErrSeparationOfDuties)
	case !isApprover(d.By, it.Approvers):
		return fmt.Errorf("%s is not an approver of %s (pii.approvers: %v)", d.By, it.Dataset, it.Approvers)
	}
	return nil
}

// onDecide records a decision; a bulk one covers every grant the
// approver may decide and returns how many it covered.
func (r *review) onDecide(ctx workflow.Context, d ReviewDecision) (string, error) {
	who, err := r.guard.accept(ctx, r.claim(ctx, d))
	if err != nil {
		return "", err
	}
	before := r.decidedIDs()
	n := r.decideItems(d, who)
	r.settleAsks(ctx, r.noteDecided(ctx, before))
	return fmt.Sprintf("%s: %d grant(s)", d.Decision, n), nil
}

func (r *review) undecided() bool {
	return slices.ContainsFunc(r.res.Items, func(it ReviewItem) bool { return it.Decision == "" })
}

// collect asks each approver, reminds the undecided, and returns at the
// deadline or once everything is decided.
func (r *review) collect(ctx workflow.Context) error {
	r.res.Deadline = workflow.Now(ctx).Add(orDuration(r.in.Deadline, DefaultReviewDeadline))
	r.setStatus(ctx, "reviewing")
	r.ask(ctx, "")
	every := orDuration(r.in.RemindEvery, DefaultReviewReminder)
	for r.undecided() {
		left := r.res.Deadline.Sub(workflow.Now(ctx))
		if left <= 0 {
			break
		}
		wait, summary := min(left, every), "review reminder"
		if wait == left {
			summary = "review deadline"
		}
		opts := workflow.AwaitOptions{Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: summary}}
		done, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return !r.undecided() })
		if err != nil || done {
			return err
		}
		if workflow.Now(ctx).Before(r.res.Deadline) {
			r.ask(ctx, "Reminder: ")
		}
	}
	return nil
}

// ask posts each approver the grants they still have to decide, with
// Keep / Revoke buttons per grant and for all of them at once.
func (r *review) ask(ctx workflow.Context, prefix string) {
	var approvers []string
	for _, it := range r.res.Items {
		for _, a := range it.Approvers {
			if !slices.Contains(approvers, a) {
				approvers = append(approvers, a)
			}
		}
	}
	wfID := workflow.GetInfo(ctx).WorkflowExecution.ID
	for _, a := range approvers {
		var lines []string
		var rows []activities.SlackActions
		var rowGrants, listed []string
		for _, it := range r.res.Items {
			if decidable(it, a) {
				listed = append(listed, it.ID)
				line := fmt.Sprintf("• `%s` — %s for %s (default: %s)", it.ID, reviewedGrant(it.Grant), activities.SlackEscape(it.Grant.Principal), it.Default)
				lines = append(lines, line)
				rows = append(rows, activities.SlackActions{Text: line, Buttons: reviewButtons(wfID, it.ID, "Keep", "Revoke")})
				rowGrants = append(rowGrants, it.ID)
			}
		}
		if len(lines) == 0 {
			continue
		}
		text := fmt.Sprintf("%sAccess review %s: please keep or revoke these grants on PII by %s.\n%s\nDecide with the buttons, or `dre access review decide %s <grant> keep|revoke --as %s` (or `all` for every grant).",
			prefix, r.in.Period, r.res.Deadline.UTC().Format(time.RFC3339), strings.Join(lines, "\n"), r.in.Period, a)
		if len(rows) > maxReviewRows {
			rows, rowGrants = nil, nil // the text lists them; Slack takes 50 blocks at most
		}
		rows = append(rows, activities.SlackActions{Buttons: reviewButtons(wfID, ReviewAll, "Keep all", "Revoke all")})
		r.postAsk(ctx, a, text, rows, append(rowGrants, ""), listed)
	}
}

// maxReviewRows is how many grants get buttons of their own: each takes
// two of the 50 blocks Slack allows in a message.
const maxReviewRows = 20

// reviewButtons are the keep and revoke buttons of a grant, or of ReviewAll.
func reviewButtons(workflowID, grant, keep, revoke string) []activities.SlackButton {
	value := activities.ButtonValue(workflowID, grant)
	return []activities.SlackButton{
		{ActionID: activities.ReviewButtonKeep, Label: keep, Value: value, Style: "primary"},
		{ActionID: activities.ReviewButtonRevoke, Label: revoke, Value: value, Style: "danger"},
	}
}

// settleDefaults lets decisions still being shown finish, then gives the
// undecided grants their defaults and shows those too.
func (r *review) settleDefaults(ctx workflow.Context) error {
	if !r.settle.on {
		r.applyDefaults()
		return nil
	}
	r.settle.closed = true // the deadline passed or all is decided: no more decisions
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	before := r.decidedIDs()
	r.applyDefaults()
	r.settleAsks(ctx, r.noteDecided(ctx, before))
	return nil
}

// applyDefaults gives every undecided grant its dataset's default.
func (r *review) applyDefaults() {
	for i := range r.res.Items {
		if it := &r.res.Items[i]; it.Decision == "" {
			it.Decision, it.DecidedBy = it.Default, "default"
		}
	}
}

// reviewedGrant says what a grant gives and where: SELECT (col) on
// schema.table in PostgreSQL; an IAM role on a BigQuery table, its dataset
// or a column's policy tag.
func reviewedGrant(g warehouse.Grant) string {
	switch {
	case !strings.Contains(g.Privilege, "/"):
		return fmt.Sprintf("%s%s on %s", strings.ToUpper(g.Privilege), onColumn(g.Column), g.Table)
	case g.OnDataset:
		return fmt.Sprintf("%s on dataset %s", g.Privilege, g.Table.Schema)
	case g.Column != "":
		return fmt.Sprintf("%s on the policy tag of %s.%s", g.Privilege, g.Table, g.Column)
	}
	return fmt.Sprintf("%s on %s", g.Privilege, g.Table)
}

func onColumn(col string) string {
	if col == "" {
		return ""
	}
	return " (" + col + ")"
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
