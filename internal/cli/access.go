package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/workflows"
)

func newAccessCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Time-bound access to PII datasets: request, approve, deny, revoke, list (access-request/<dataset>/<requester>/<id>)",
		Long: `An access request is a workflow: one of the dataset's approvers (pii.approvers in
the catalog), never the requester, approves or denies it; on approval dre
grants SELECT and verifies it; at expiry a durable timer revokes it, also
if no worker ran at that moment. Every decision is written to the audit log
with its evidence: the fingerprint of the SSH key that signed it, or
"unverified" where dre.yaml sets decisions.allow_unsigned (see dre access
approve --help). The worker checks decisions against its own dre.yaml.
To extend access, request again: extending needs a new approval. A
reconciler (dre access reconcile) revokes grants that neither a running
request nor dre.yaml's access.standing explains, such as one left by a
terminated request.`,
		Example: `  dre access request customers --duration 4h --reason "refund ticket 4711" --principal alice
  dre access approve access-request/customers/cli:alice/m1x2y3 --sign ~/.ssh/id_ed25519.pub
  dre access revoke access-request/customers/cli:alice/m1x2y3
  dre access list customers
  dre access reconcile --dry-run   # grants on PII tables that nothing explains`,
	}
	cmd.AddCommand(newAccessRequestCmd(g), newAccessListCmd(g), newAccessReviewCmd(g), newAccessReconcileCmd(g),
		newAccessDecideCmd(g, workflows.AccessApproveUpdate, "Approve a pending request (an approver other than the requester)"),
		newAccessDecideCmd(g, workflows.AccessDenyUpdate, "Deny a pending request"),
		newAccessDecideCmd(g, workflows.AccessRevokeUpdate, "Revoke granted access before it expires (the requester or an approver)"))
	return cmd
}

func newAccessRequestCmd(g *globals) *cobra.Command {
	var duration, reason, principal, as, incident string
	var columns []string
	cmd := &cobra.Command{
		Use:   "request <dataset>",
		Short: "Ask for SELECT on a PII dataset (or some of its columns) for a while",
		Long: `Ask for SELECT on a PII dataset (or some of its columns) for a while.

On PostgreSQL the grant is SELECT on the table or the columns. On BigQuery
it is roles/bigquery.dataViewer on the table or, with --columns,
roles/datacatalog.categoryFineGrainedReader on the columns' policy tags,
given to the requester's member from the people directory.

With --for triage/<dataset> the access is for an open incident: it is
refused unless that incident is open, and it is revoked when the incident
resolves or at the end of --duration, whichever comes first (checked every
5 minutes on a durable timer, so also after a worker outage).`,
		Example: `  dre access request customers --duration 4h --reason "refund ticket 4711"
  dre access request customers --columns email,phone --duration 2d --reason "GDPR export" --principal analyst_jo
  dre access request customers --for triage/orders --duration 8h --reason "orders missing their customer"
  dre access request lake_customers --principal user:ann@example.com --duration 4h --reason "churn study"   # BigQuery`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := catalog.ParseDuration(duration)
			if err != nil {
				return &usageError{fmt.Errorf("--duration: %w", err)}
			}
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			ds, err := cfg.Catalog.Lookup(args[0])
			if err != nil {
				return err
			}
			in := workflows.AccessRequestInput{Dataset: ds, Requester: orDefault(as, g.cliActor()), Principal: principal,
				Columns: columns, Duration: d.Duration, Reason: reason, Incident: incident}
			if in.Principal == "" {
				if in.Principal, err = defaultPrincipal(cfg, in.Requester, ds.Warehouse); err != nil {
					return err
				}
			}
			if err := in.Validate(); err != nil {
				return err
			}
			id, err := gateway.TemporalAccess{Client: c, TaskQueue: cfg.Temporal.TaskQueue}.RequestAccess(cmd.Context(), in)
			if err != nil {
				return fmt.Errorf("starting the access request: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nwaiting for an approver (%s)\n%s\n", id, strings.Join(ds.PII.Approvers, ", "), g.workflowURL(cfg.Temporal.Namespace, id))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&duration, "duration", "", "how long access lasts, like 4h or 2d (at most pii.max_access, default 30d)")
	fl.StringVar(&reason, "reason", "", "why you need it; shown to the approvers and kept in the audit log")
	fl.StringSliceVar(&columns, "columns", nil, "grant only these columns (default: the whole table)")
	fl.StringVar(&principal, "principal", "", "who receives the grant: a PostgreSQL role or a BigQuery member like user:ann@example.com (default: your principal on the dataset's warehouse under people: in dre.yaml, else your user name)")
	fl.StringVar(&as, "as", "", "who is asking (default: cli:$USER)")
	fl.StringVar(&incident, "for", "", "an open triage incident, triage/<dataset>: access ends when it resolves")
	return cmd
}

func newAccessDecideCmd(g *globals, update, short string) *cobra.Command {
	var who decider
	cmd := &cobra.Command{
		Use:   update + " <request-id>",
		Short: short,
		Long: short + `. By default the dataset's pii.approvers (people, Slack IDs
or groups) decide, never the requester (authz.rules.access.` + update + ` in
dre.yaml may say otherwise).

` + signingHelp,
		Example: fmt.Sprintf(`  dre access %[1]s access-request/customers/cli:alice/m1x2y3 --sign ~/.ssh/id_ed25519.pub --note "ticket 4711"
  DRE_SIGNING_KEY=SHA256:abc... dre access %[1]s access-request/customers/cli:alice/m1x2y3 --as bob
  dre access %[1]s access-request/customers/cli:alice/m1x2y3 --as U0DEMOOWNER   # unsigned: demo only`, update),
		Args: exactArgs(1, "one request ID (access-request/...; see dre access list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			d, err := g.accessDecision(cfg, cmd.ErrOrStderr(), args[0], update, who)
			if err != nil {
				return fmt.Errorf("%s %s: %w", update, args[0], err)
			}
			answer, err := gateway.TemporalAccess{Client: c, TaskQueue: cfg.Temporal.TaskQueue}.DecideAccess(cmd.Context(), args[0], update, d)
			if err != nil {
				return fmt.Errorf("%s %s: %w", update, args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", args[0], answer)
			return nil
		},
	}
	addDeciderFlags(cmd, &who)
	return cmd
}

func newAccessListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list [dataset]",
		Short:   "List access requests and their status (pending, granted, denied, revoked, expired)",
		Example: "  dre access list\n  dre access list customers",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			query := workflows.KindQuery(workflows.KindAccessRequest)
			if len(args) == 1 {
				query += fmt.Sprintf(" AND DreDataset = '%s'", strings.ReplaceAll(args[0], "'", ""))
			}
			resp, err := c.ListWorkflow(cmd.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 100})
			if err != nil {
				return fmt.Errorf("listing access requests: %w", err)
			}
			for _, e := range resp.Executions {
				s := accessSummary(e)
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", s.WorkflowID, orDefault(s.Status, "-"), s.Requester)
			}
			return nil
		},
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// listedAccess is what the list shows of one request.
type listedAccess struct{ WorkflowID, Status, Requester string }

// accessSummary reads the status and requester search attributes.
func accessSummary(e *workflowpb.WorkflowExecutionInfo) listedAccess {
	s := listedAccess{WorkflowID: e.GetExecution().GetWorkflowId()}
	fields := e.GetSearchAttributes().GetIndexedFields()
	for name, dst := range map[string]*string{workflows.StatusKey.GetName(): &s.Status, workflows.RequesterKey.GetName(): &s.Requester} {
		if p, ok := fields[name]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, dst)
		}
	}
	return s
}
