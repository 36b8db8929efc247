package schedules

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Apply carries out a plan from Diff. Each step is idempotent, so a sync
// interrupted half-way is finished by running it again.
func Apply(ctx context.Context, sc scheduleClient, plan []Change) error {
	for _, c := range plan {
		var err error
		switch c.Op {
		case Create:
			_, err = sc.Create(ctx, client.ScheduleOptions{
				ID: c.ID, Spec: c.Want.spec(), Action: c.Want.action(), Note: notePrefix + c.Want.hash(),
				Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
			})
		case Update:
			want := c.Want
			err = sc.GetHandle(ctx, c.ID).Update(ctx, client.ScheduleUpdateOptions{
				DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
					s := in.Description.Schedule
					s.Spec, s.Action = ptr(want.spec()), want.action()
					if s.State == nil {
						s.State = &client.ScheduleState{}
					}
					s.State.Note = notePrefix + want.hash()
					return &client.ScheduleUpdate{Schedule: &s}, nil
				},
			})
		case Delete:
			err = sc.GetHandle(ctx, c.ID).Delete(ctx)
			if errors.As(err, new(*serviceerror.NotFound)) {
				err = nil // deleted by an earlier, interrupted sync
			}
		}
		if err != nil {
			return fmt.Errorf("%s schedule %s (run dre schedules sync again to finish): %w", c.Op, c.ID, err)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
