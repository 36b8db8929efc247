// Package schedules keeps Temporal Schedules in step with dre.yaml: it
// derives the schedules the catalog wants, compares them with those on the
// server and creates, updates or deletes the difference. dre owns the
// schedules whose IDs start with Prefix and touches no other.
package schedules

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Prefix starts the ID of every schedule sync manages; schedules that
// other parts of dre create under other IDs are left alone.
const Prefix = "dre-catalog-"

// notePrefix starts the note of a managed schedule; the hash after it says
// which catalog content the schedule was written from.
const notePrefix = "managed by dre schedules sync; content "

// Schedule is one schedule the catalog wants.
type Schedule struct {
	ID string `json:"id"`
	// Every and Offset place the runs: every 24h at offset 6h is daily at 06:00 UTC.
	Every  time.Duration `json:"every"`
	Offset time.Duration `json:"offset"`
	// Cron, when set, places the runs instead of Every: calendar
	// periods such as quarters have no fixed length. Omitted when empty
	// so that the hashes of interval schedules stay as they were.
	Cron string `json:"cron,omitempty"`
	// Workflow is the registered workflow name, WorkflowID the ID of its
	// runs (Temporal appends the scheduled time).
	Workflow   string `json:"workflow"`
	WorkflowID string `json:"workflowId"`
	TaskQueue  string `json:"taskQueue"`
	Args       []any  `json:"args"`
	Summary    string `json:"summary"`
}

// hash fingerprints everything that defines the schedule.
func (s Schedule) hash() string {
	b, _ := json.Marshal(s) // a Schedule holds only JSON-encodable values
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func (s Schedule) spec() client.ScheduleSpec {
	if s.Cron != "" {
		return client.ScheduleSpec{CronExpressions: []string{s.Cron}}
	}
	return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: s.Every, Offset: s.Offset}}}
}

func (s Schedule) action() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{ID: s.WorkflowID, Workflow: s.Workflow, Args: s.Args, TaskQueue: s.TaskQueue, StaticSummary: s.Summary}
}

// Op is what a sync does to one schedule.
type Op string

// The operations of a plan.
const (
	Create    Op = "create"
	Update    Op = "update"
	Delete    Op = "delete"
	Unchanged Op = "unchanged"
)

// Change is one line of a plan.
type Change struct {
	Op Op
	ID string
	// Want is the schedule to write (nil for a delete).
	Want *Schedule
}

// String renders the change as "+ id (every 24h0m0s: Workflow)".
func (c Change) String() string {
	sign := map[Op]string{Create: "+", Update: "~", Delete: "-", Unchanged: "="}[c.Op]
	if c.Want == nil {
		return fmt.Sprintf("%s %s", sign, c.ID)
	}
	if c.Want.Cron != "" {
		return fmt.Sprintf("%s %s (cron %q: %s)", sign, c.ID, c.Want.Cron, c.Want.Workflow)
	}
	return fmt.Sprintf("%s %s (every %s at +%s: %s)", sign, c.ID, c.Want.Every, c.Want.Offset, c.Want.Workflow)
}

// scheduleClient is the part of client.ScheduleClient a sync uses.
type scheduleClient interface {
	Create(ctx context.Context, options client.ScheduleOptions) (client.ScheduleHandle, error)
	List(ctx context.Context, options client.ScheduleListOptions) (client.ScheduleListIterator, error)
	GetHandle(ctx context.Context, scheduleID string) client.ScheduleHandle
}

// Diff compares the wanted schedules with the managed ones on the server.
// Each wanted schedule is described by ID, which is consistent at once;
// the listing, which lags behind, only finds schedules to delete.
func Diff(ctx context.Context, sc scheduleClient, want []Schedule) ([]Change, error) {
	listed, err := listManaged(ctx, sc)
	if err != nil {
		return nil, err
	}
	var plan []Change
	for i := range want {
		w := &want[i]
		delete(listed, w.ID)
		note, exists, err := describe(ctx, sc, w.ID)
		switch {
		case err != nil:
			return nil, err
		case !exists:
			plan = append(plan, Change{Op: Create, ID: w.ID, Want: w})
		case note != notePrefix+w.hash():
			plan = append(plan, Change{Op: Update, ID: w.ID, Want: w})
		default:
			plan = append(plan, Change{Op: Unchanged, ID: w.ID, Want: w})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(listed)) {
		if _, exists, err := describe(ctx, sc, id); err != nil || exists {
			plan = append(plan, Change{Op: Delete, ID: id})
		}
	}
	return plan, nil
}

// describe returns a schedule's note; exists is false when there is none.
func describe(ctx context.Context, sc scheduleClient, id string) (note string, exists bool, err error) {
	d, err := sc.GetHandle(ctx, id).Describe(ctx)
	var missing *serviceerror.NotFound
	if errors.As(err, &missing) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading schedule %s: %w", id, err)
	}
	if d.Schedule.State != nil {
		note = d.Schedule.State.Note
	}
	return note, true, nil
}

// listManaged returns the IDs of the managed schedules the server lists.
func listManaged(ctx context.Context, sc scheduleClient) (map[string]bool, error) {
	it, err := sc.List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing Temporal schedules: %w", err)
	}
	out := map[string]bool{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("listing Temporal schedules: %w", err)
		}
		if strings.HasPrefix(e.ID, Prefix) {
			out[e.ID] = true
		}
	}
	return out, nil
}
