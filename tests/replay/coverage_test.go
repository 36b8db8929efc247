package replay

import (
	"maps"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/workflow"

	dreworker "github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// historiesDir is where the committed histories live.
var historiesDir = filepath.Join("..", "testdata", "histories")

// TestEveryRegisteredWorkflowHasAHistory fails when the worker registers a
// workflow type that no committed history starts, so that a change to that
// workflow could break running executions without the replay test noticing.
// Both sides are read from the real thing: the names from
// dreworker.RegisterWorkflows, the types from the histories' first event.
func TestEveryRegisteredWorkflowHasAHistory(t *testing.T) {
	registered := registeredWorkflowNames(t)
	recorded := recordedWorkflowTypes(t)
	var missing []string
	for _, name := range registered {
		if len(recorded[name]) == 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("registered workflows with no history in tests/testdata/histories: %s\n"+
			"record one (see tests/README.md, replay); the histories start %s", strings.Join(missing, ", "), typeNames(recorded))
	}
}

// registeredWorkflowNames is every workflow type name RegisterWorkflows
// registers, sorted.
func registeredWorkflowNames(t *testing.T) []string {
	t.Helper()
	r := &nameRecorder{}
	dreworker.RegisterWorkflows(r)
	if r.dynamic {
		t.Fatal("RegisterWorkflows registers a dynamic workflow, which serves any type name; list its types here")
	}
	if len(r.names) == 0 {
		t.Fatal("RegisterWorkflows registered no workflow")
	}
	slices.Sort(r.names)
	return r.names
}

// recordedWorkflowTypes maps each workflow type to the history files that
// start a run of it, read as the replayer reads them.
func recordedWorkflowTypes(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string][]string{}
	for _, file := range files {
		_, started, err := readHistory(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		name := started.GetWorkflowType().GetName()
		types[name] = append(types[name], filepath.Base(file))
	}
	return types
}

// typeNames lists the recorded workflow types, sorted.
func typeNames(recorded map[string][]string) string {
	return strings.Join(slices.Sorted(maps.Keys(recorded)), ", ")
}

// nameRecorder is a workflow registry that only writes down the type names
// it is given, under the SDK's rules: the explicit name, else the
// function's own name.
type nameRecorder struct {
	names   []string
	dynamic bool
}

func (r *nameRecorder) RegisterWorkflow(w any) {
	r.names = append(r.names, functionName(w))
}

func (r *nameRecorder) RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions) {
	if options.Name == "" {
		options.Name = functionName(w)
	}
	r.names = append(r.names, options.Name)
}

func (r *nameRecorder) RegisterDynamicWorkflow(any, workflow.DynamicRegisterOptions) {
	r.dynamic = true
}

// functionName is the name the SDK gives a workflow registered without
// one: the function's name without its package path (and without the -fm
// the compiler appends to method values).
func functionName(fn any) string {
	full := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	return strings.TrimSuffix(full[strings.LastIndex(full, ".")+1:], "-fm")
}

func TestNameRecorderNamesWorkflowsAsTheSDKDoes(t *testing.T) {
	r := &nameRecorder{}
	r.RegisterWorkflow(workflows.Check)
	r.RegisterWorkflowWithOptions(workflows.Check, workflow.RegisterOptions{})
	r.RegisterWorkflowWithOptions(workflows.Triage, workflow.RegisterOptions{Name: "Other"})
	if want := []string{"Check", "Check", "Other"}; !slices.Equal(r.names, want) {
		t.Errorf("recorded %v, want %v", r.names, want)
	}
}
