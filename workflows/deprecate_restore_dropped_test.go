package workflows

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// runRestoreDeprecated runs RestoreDeprecated over mocked activities that
// record what they were asked and answer with the metadata asked for.
func runRestoreDeprecated(t *testing.T, in RestoreDeprecatedInput) (RestoreDeprecatedResult, map[string]any, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(deprecateStart)
	calls := map[string]any{}
	var a *activities.Deprecations
	env.OnActivity(a.DeprecateRestoreSnapshot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeprecateRestoreSnapshotInput) (warehouse.TableMeta, error) {
			calls["snapshot"] = in
			return cloneMeta(in.Meta), nil
		})
	env.OnActivity(a.DeprecateRestoreTable, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeprecateRestoreInput) (warehouse.TableMeta, error) {
			calls["archive"] = in
			return cloneMeta(in.Meta), nil
		})
	env.OnActivity(a.DeprecateAllowedGrants, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.DeprecateAllowedInput) (activities.DeprecateAllowed, error) {
			return (&activities.Deprecations{}).DeprecateAllowedGrants(ctx, in)
		})
	var n *activities.Notify
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
			calls["slack"] = m
			return activities.SlackPosted{Sent: true, Channel: m.Channel}, nil
		})
	env.ExecuteWorkflow(RestoreDeprecated, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the restore did not complete")
	}
	var res RestoreDeprecatedResult
	err := env.GetWorkflowError()
	if err == nil {
		err = env.GetWorkflowResult(&res)
	}
	return res, calls, err
}

func TestDeprecatedTableRestoredFromItsSnapshotAfterTheDrop(t *testing.T) {
	in := RestoreDeprecatedInput{Dataset: deprecateDataset(), Requester: "cli:alice",
		Snapshot: "dre_archive.public_legacy_sessions_20270331_snap", Meta: deprecateOriginal()}
	res, calls, err := runRestoreDeprecated(t, in)
	if err != nil {
		t.Fatal(err)
	}
	asked, ok := calls["snapshot"].(activities.DeprecateRestoreSnapshotInput)
	if !ok || asked.Snapshot != in.Snapshot || asked.Table != "public.legacy_sessions" || asked.Meta.Comment != deprecateOriginal().Comment {
		t.Fatalf("snapshot restore asked %+v; want public.legacy_sessions from %s with the original metadata", calls["snapshot"], in.Snapshot)
	}
	if _, moved := calls["archive"]; moved {
		t.Error("moved an archived table although the table was dropped")
	}
	if res.From != in.Snapshot || len(res.Meta.Grants) != 4 || !strings.Contains(res.Summary, "verified") {
		t.Errorf("result %+v; want restored from the snapshot with 4 grants, verified", res)
	}
	if m, _ := calls["slack"].(activities.SlackMessage); m.Channel != "#product-analytics" || !strings.Contains(m.Text, "is back") {
		t.Errorf("owner told %+v; want a post to #product-analytics", calls["slack"])
	}
}

func TestDeprecatedTableRestoredFromTheArchive(t *testing.T) {
	in := RestoreDeprecatedInput{Dataset: deprecateDataset(), Archived: "dre_archive.public_legacy_sessions_20270331",
		Meta: deprecateOriginal()}
	res, calls, err := runRestoreDeprecated(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if asked, ok := calls["archive"].(activities.DeprecateRestoreInput); !ok || asked.Archived != in.Archived {
		t.Errorf("archive restore asked %+v; want a move home from %s", calls["archive"], in.Archived)
	}
	if res.From != in.Archived {
		t.Errorf("restored from %q; want %s", res.From, in.Archived)
	}
}

func TestDeprecatedTableWithoutSnapshotCannotBeRestored(t *testing.T) {
	_, calls, err := runRestoreDeprecated(t, RestoreDeprecatedInput{Dataset: deprecateDataset(), Meta: deprecateOriginal()})
	if !IsNothingToRestore(err) || !strings.Contains(err.Error(), NoSnapshotMessage) {
		t.Fatalf("error %v; want %q", err, NoSnapshotMessage)
	}
	if len(calls) != 0 {
		t.Errorf("activities ran: %v; want none", calls)
	}
}

func TestDeprecateRecordsWhatARestoreAfterTheDropPutsBack(t *testing.T) {
	h := newDeprecateHarness(t)
	h.at(oneDay, func() {
		h.table.meta.Grants = append(h.table.meta.Grants, warehouse.Grant{Principal: "late", Privilege: "SELECT"})
	})
	s := h.run(deprecateDataset())
	if s.Restorable == nil {
		t.Fatal("no Restorable metadata in the result")
	}
	if s.Restorable.Comment != deprecateOriginal().Comment || len(s.Restorable.Grants) != 5 {
		t.Errorf("restorable %+v; want the comment from before the announce and the 5 grants held at the soft delete", *s.Restorable)
	}
}

// After the drop, a restore of a dataset with PII gives back only the
// grants still allowed: bi's, declared standing, and the owner's.
func TestDeprecatedTableRestoredAfterTheDropWithholdsGrantsNoLongerAllowed(t *testing.T) {
	in := RestoreDeprecatedInput{Dataset: governedDataset(), Requester: "cli:alice",
		Snapshot: "dre_archive.public_legacy_sessions_20270331_snap", Meta: deprecateOriginal()}
	res, calls, err := runRestoreDeprecated(t, in)
	if err != nil {
		t.Fatal(err)
	}
	asked := calls["snapshot"].(activities.DeprecateRestoreSnapshotInput)
	if got := strings.Join(grantNames(asked.Meta.Grants), ","); got != "bi:SELECT (session_id),owner:SELECT,owner:TRUNCATE" {
		t.Errorf("restored grants %s; want analyst's withheld", got)
	}
	if len(res.Withheld) != 1 || !strings.Contains(res.Summary, "not given back: analyst SELECT") {
		t.Errorf("result %+v; want analyst's grant reported as withheld", res)
	}
}
