package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/slo"
)

// sloBatch is the batch evaluator's state: one sloEval per member, which
// holds the member's catalog entry and status exactly as the dataset's
// own evaluator would, so that both act alike on a reading.
type sloBatch struct {
	in          SLOBatchEvalInput
	members     []*sloEval
	rounds      int
	status      string
	bootstrapCh workflow.ReceiveChannel
}

func newSLOBatch(ctx workflow.Context, in SLOBatchEvalInput) *sloBatch {
	b := &sloBatch{in: in, status: SLOStatusOK}
	if in.State != nil {
		b.rounds, b.status = in.State.Rounds, in.State.Status
		in.Handover = append(in.State.Datasets, in.Handover...)
	}
	b.in.State, b.in.Handover = nil, nil
	b.apply(SLOBatchCatalog{Datasets: in.Datasets, Handover: in.Handover, Parallelism: in.Parallelism})
	workflow.GetLogger(ctx).Info("evaluating a batch of SLOs", "batch", in.Batch, "datasets", len(b.members))
	return b
}

// apply adopts a membership: members that stay keep their state, new
// ones take the state handed over or start afresh (and ask for a history
// bootstrap), members left out are dropped.
func (b *sloBatch) apply(cat SLOBatchCatalog) {
	old := map[string]*sloEval{}
	for _, m := range b.members {
		old[m.in.Dataset.Name] = m
	}
	handed := map[string]SLOEvalStatus{}
	for _, st := range cat.Handover {
		handed[st.Dataset] = st
	}
	b.members = b.members[:0:0]
	for _, ds := range cat.Datasets {
		if m, ok := old[ds.Name]; ok {
			m.apply(ds)
			b.members = append(b.members, m)
			continue
		}
		in := SLOEvalInput{Dataset: ds, Rules: b.in.Rules}
		if st, ok := handed[ds.Name]; ok {
			st.Dataset = ds.Name
			for i := range st.SLOs {
				st.SLOs[i].History = nil // the batch keeps no chart history
			}
			in.State = &st
		}
		b.members = append(b.members, newSLOMember(in))
	}
	b.in.Datasets = cat.Datasets
	if cat.Parallelism > 0 {
		b.in.Parallelism = cat.Parallelism
	}
}

// drain applies the memberships that arrived during the round; a bad one
// is refused whole and logged, and the batch runs on as it was.
func (b *sloBatch) drain(ctx workflow.Context, ch workflow.ReceiveChannel) {
	var cat SLOBatchCatalog
	for ch.ReceiveAsync(&cat) {
		next := SLOBatchEvalInput{Batch: b.in.Batch, Datasets: cat.Datasets}
		if len(cat.Datasets) > 0 {
			if err := validateSLOBatch(next); err != nil {
				workflow.GetLogger(ctx).Warn("SLO batch: membership refused", "batch", b.in.Batch, "error", err)
				continue
			}
		}
		b.apply(cat)
	}
}

// receiveBootstrap notes bootstrap requests for members; the next round
// runs them.
func (b *sloBatch) receiveBootstrap(ch workflow.ReceiveChannel) {
	var req SLOBatchBootstrap
	for ch.ReceiveAsync(&req) {
		for _, m := range b.members {
			if m.in.Dataset.Name == req.Dataset {
				m.status.BootstrapPending = req.Request
			}
		}
	}
}

// wait sleeps until the next SLO of any member is due, waking early for
// a membership or a bootstrap request.
func (b *sloBatch) wait(ctx workflow.Context, catalogCh workflow.ReceiveChannel) {
	if len(b.members) == 0 {
		return
	}
	next := b.members[0].status.SLOs[0].NextAt
	for _, m := range b.members {
		for _, s := range m.status.SLOs {
			if s.NextAt.Before(next) {
				next = s.NextAt
			}
		}
	}
	d := next.Sub(workflow.Now(ctx))
	if d <= 0 {
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimerWithOptions(tctx, d, workflow.TimerOptions{Summary: "next SLO evaluation of the batch"})
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(timer, func(workflow.Future) {})
	sel.AddReceive(catalogCh, func(workflow.ReceiveChannel, bool) { b.drain(ctx, catalogCh) })
	sel.AddReceive(b.bootstrapCh, func(c workflow.ReceiveChannel, _ bool) { b.receiveBootstrap(c) })
	sel.Select(ctx)
}

// round evaluates every member's due SLOs (and runs pending bootstraps)
// in one activity, then adopts each member's readings and acts on them.
func (b *sloBatch) round(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	in := activities.SLOBatchInput{Parallelism: b.in.Parallelism}
	var who []*sloEval
	var dues [][]int
	for _, m := range b.members {
		due := m.due(now)
		if len(due) == 0 && m.status.BootstrapPending == "" {
			continue
		}
		item := activities.SLOBatchItem{SLORoundInput: m.roundInput(due, now)}
		if req := m.status.BootstrapPending; req != "" {
			item.Bootstrap, item.Until = req, now
			m.status.BootstrapPending = ""
		}
		in.Items, who, dues = append(in.Items, item), append(who, m), append(dues, due)
	}
	if len(in.Items) == 0 {
		return nil
	}
	var a *activities.SLOs
	var res activities.SLOBatchResult
	err := workflow.ExecuteActivity(sloBatchOptions(ctx, in), a.EvaluateSLOBatch, in).Get(ctx, &res)
	for j, m := range who {
		b.adopt(ctx, m, dues[j], in.Items[j], res, j, err)
	}
	b.rounds++
	return b.publish(ctx)
}

// adopt takes the j-th result of the round onto member m: its bootstrap
// outcome, then its readings as the member's own evaluator would.
func (b *sloBatch) adopt(ctx workflow.Context, m *sloEval, due []int, item activities.SLOBatchItem, res activities.SLOBatchResult, j int, err error) {
	var r activities.SLOBatchItemResult
	switch {
	case err != nil:
	case j >= len(res.Items) || res.Items[j].Dataset != m.in.Dataset.Name:
		err = errors.New("the batch round returned no result for this dataset")
	default:
		r = res.Items[j]
	}
	if item.Bootstrap != "" {
		bs := &SLOBootstrap{Request: item.Bootstrap, At: item.Until, SLOs: r.Bootstrap, Error: r.BootstrapError}
		if err != nil {
			bs.Error = err.Error()
		}
		m.status.Bootstrap = bs
	}
	m.adoptRound(ctx, due, item.SLORoundInput, r.SLORoundResult, err)
	if len(due) > 0 {
		m.status.Rounds++
	}
	m.deriveStatus()
	for i := range m.status.SLOs {
		m.status.SLOs[i].History = nil // kept in the state database, not in the batch's state
	}
}

// sloBatchOptions gives a round as long as its members' SLOs had one by
// one, shared among the parallel workers, plus the time of a bootstrap
// when one runs; the activity heartbeats, so a lost worker shows within a
// minute and the retry resumes from the datasets already done.
func sloBatchOptions(ctx workflow.Context, in activities.SLOBatchInput) workflow.Context {
	slos, bootstrap := 0, time.Duration(0)
	for _, it := range in.Items {
		slos += len(it.SLOs)
		if it.Bootstrap != "" {
			bootstrap = 10 * time.Minute
		}
	}
	timeout := time.Duration(slos)*3*time.Minute/time.Duration(max(1, in.Parallelism)) + 3*time.Minute + bootstrap
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: activities.SLORoundAttempts},
		Summary:             "measure, record and evaluate the batch's due SLOs",
	})
}

// publish derives the batch's status, the loudest member's level or
// frozen, and upserts DreStatus only when it differs from the run's.
func (b *sloBatch) publish(ctx workflow.Context) error {
	level, frozen := slo.None, false
	for _, m := range b.members {
		for _, s := range m.status.SLOs {
			if s.Level.Louder(level) {
				level = s.Level
			}
		}
		frozen = frozen || m.status.Frozen
	}
	b.status = string(level)
	if frozen {
		b.status = SLOFrozen
	}
	sa := workflow.GetTypedSearchAttributes(ctx)
	kind, _ := sa.GetKeyword(KindKey)
	status, _ := sa.GetKeyword(StatusKey)
	if kind == KindSLOBatch && status == b.status {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindSLOBatch), StatusKey.ValueSet(b.status))
}

// snapshot is the status query's answer.
func (b *sloBatch) snapshot() SLOBatchStatus {
	st := SLOBatchStatus{Batch: b.in.Batch, Status: b.status, Rounds: b.rounds}
	for _, m := range b.members {
		st.Datasets = append(st.Datasets, m.status)
	}
	return st
}

// next is the input of the run after continue-as-new.
func (b *sloBatch) next() SLOBatchEvalInput {
	next := b.in
	st := b.snapshot()
	next.State = &st
	return next
}
