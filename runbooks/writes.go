package runbooks

import "strings"

// FreezeStepID is reserved: it names the approval a run that writes SQL
// waits for, before its first step, while its dataset's SLO error budget
// is spent (workflows.RunbookFreezeStep). No step may take it.
const FreezeStepID = "slo-freeze"

// WritesSQL reports whether rb, or a runbook it calls, has a sql step
// that may write, anywhere: in parallel branches and failure handlers
// too. Such a run is risky work that an SLO freeze of its dataset holds;
// the Runbook workflow asks about the freeze only for these.
func WritesSQL(rb *Runbook, callees map[string]Runbook) bool {
	if stepsWriteSQL(rb.Steps) {
		return true
	}
	for _, callee := range callees {
		if stepsWriteSQL(callee.Steps) {
			return true
		}
	}
	return false
}

func stepsWriteSQL(steps []Step) bool {
	for _, s := range steps {
		if s.SQL != nil && !ReadOnlySQL(s.SQL.Statement) || stepsWriteSQL(s.OnFailure.Steps) {
			return true
		}
		if s.Parallel != nil {
			for _, branch := range s.Parallel.Branches {
				if stepsWriteSQL(branch) {
					return true
				}
			}
		}
	}
	return false
}

// ReadOnlySQL is a plain SELECT: the interpreter runs those through the
// warehouse's Query, in a read-only transaction, so they cannot write.
func ReadOnlySQL(stmt string) bool {
	fields := strings.Fields(stmt)
	return len(fields) > 0 && strings.EqualFold(fields[0], "SELECT")
}
