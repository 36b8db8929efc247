package runbooks

import (
	"reflect"
	"slices"
	"time"

	"github.com/expr-lang/expr/types"
)

// StepKind names what a step does; it is the step's kind key in YAML.
type StepKind string

// The step kinds.
const (
	KindCheck    StepKind = "check"
	KindSQL      StepKind = "sql"
	KindNotify   StepKind = "notify"
	KindPage     StepKind = "page"
	KindApprove  StepKind = "approve"
	KindWait     StepKind = "wait"
	KindBackfill StepKind = "backfill"
	KindRunbook  StepKind = "runbook"
	KindParallel StepKind = "parallel"
)

// StepKinds returns every step kind, in the order of Step's fields.
func StepKinds() []StepKind {
	return []StepKind{KindCheck, KindSQL, KindNotify, KindPage, KindApprove,
		KindWait, KindBackfill, KindRunbook, KindParallel}
}

// InputType is the type of a runbook input.
type InputType string

// The input types. Dates are YYYY-MM-DD; durations are written like 90m,
// 2h or 28d; a dataset is the name of a catalog dataset.
const (
	TypeString   InputType = "string"
	TypeInt      InputType = "int"
	TypeFloat    InputType = "float"
	TypeBool     InputType = "bool"
	TypeDuration InputType = "duration"
	TypeDate     InputType = "date"
	TypeDataset  InputType = "dataset"
)

// InputTypes returns every input type.
func InputTypes() []InputType {
	return []InputType{TypeString, TypeInt, TypeFloat, TypeBool, TypeDuration, TypeDate, TypeDataset}
}

// Valid reports whether t is a known input type.
func (t InputType) Valid() bool { return slices.Contains(InputTypes(), t) }

// FailureAction is what on_failure does.
type FailureAction string

// The failure actions. FailureSteps runs the on_failure steps, then stops
// or continues as OnFailure.Then says.
const (
	FailureStop     FailureAction = "stop"
	FailureContinue FailureAction = "continue"
	FailureSteps    FailureAction = "steps"
)

// stops reports whether a failure of the step ends the run.
func (f OnFailure) stops() bool {
	return f.Action != FailureContinue && !(f.Action == FailureSteps && f.Then == FailureContinue)
}

// Severity is a PagerDuty Events v2 severity.
type Severity string

// The PagerDuty severities, gravest first.
const (
	SeverityCritical Severity = "critical"
	SeverityError    Severity = "error"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Severities returns every severity, gravest first.
func Severities() []Severity {
	return []Severity{SeverityCritical, SeverityError, SeverityWarning, SeverityInfo}
}

// Decision is what an approve step decides when nobody answers in time.
type Decision string

// The decisions.
const (
	Approve Decision = "approve"
	Reject  Decision = "reject"
)

// Decisions returns both decisions, the safe one first.
func Decisions() []Decision { return []Decision{Reject, Approve} }

// rowType is a row read by SQL: columns by name, of any type.
var rowType = types.Map{types.Extra: types.Any}

// goType is the Go type of an input's value at run time.
func (t InputType) goType() reflect.Type {
	switch t {
	case TypeInt:
		return reflect.TypeFor[int]()
	case TypeFloat:
		return reflect.TypeFor[float64]()
	case TypeBool:
		return reflect.TypeFor[bool]()
	case TypeDuration:
		return reflect.TypeFor[time.Duration]()
	}
	return reflect.TypeFor[string]() // strings, dates and dataset names
}

// exprType is how an input of type t looks to expressions.
func (t InputType) exprType() types.Type {
	return types.TypeOf(reflect.Zero(t.goType()).Interface())
}

// fillDefaults writes out the defaults of a valid runbook, so that its
// JSON, and so the interpreter, never has to know them.
func fillDefaults(rb *Runbook) {
	eachStep("steps", rb.Steps, func(_ string, s *Step) {
		if s.OnFailure.Action == "" {
			s.OnFailure.Action = FailureStop
		}
		if s.OnFailure.Action == FailureSteps && s.OnFailure.Then == "" {
			s.OnFailure.Then = FailureStop
		}
		if s.Page != nil && s.Page.Severity == "" {
			s.Page.Severity = SeverityError
		}
		if s.Approve != nil && s.Approve.Default == "" {
			s.Approve.Default = Reject
		}
		if s.Wait != nil && s.Wait.Until != nil && s.Wait.Every == "" {
			s.Wait.Every = DefaultPollInterval
		}
	})
}

// DefaultPollInterval is how often a wait step polls its until check
// when it does not say.
const DefaultPollInterval = "5m"
