// Package bench measures dre's workflows on the embedded Temporal server
// the end-to-end tests use, so that the figures include real persistence
// and task dispatch.
package bench

import (
	"testing"

	"github.com/dre-dev/dre/tests/harness"
)

var env *harness.Env

func TestMain(m *testing.M) { harness.Main(m, &env) }
