package harness

import (
	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/people"
)

// UnsignedPolicy is the decision policy of a worker whose tests are about
// something else than who decides: nobody in its directory, no catalog,
// and unsigned decisions accepted (decisions.allow_unsigned, as the demo
// has it), so decisions by name count and are recorded as unverified.
// Workflows that take decisions refuse to run on a worker without any.
func UnsignedPolicy(dir *people.Directory) *activities.Policy {
	if dir == nil {
		dir = people.NewDirectory(nil, nil)
	}
	return &activities.Policy{People: dir, AllowUnsigned: true}
}
