package cli

import "fmt"

// Exit codes of the backfill commands, beyond 0 (success), 1 (error) and
// 2 (usage), so that scripts can tell a partial backfill from a refused one.
const (
	// exitPartial: the backfill ended without writing every partition
	// (failed partitions, stopped at a failure, or cancelled).
	exitPartial = 3
	// exitRefused: nothing was done because dre refused: another backfill
	// of the dataset runs, the backfill rejected a control, or its cost
	// was over budget and not approved.
	exitRefused = 4
)

// backfillExitCodes is the help text that documents them.
const backfillExitCodes = `Exit codes: 0 every partition written (or, without --wait, the backfill
started); 1 an error (no connection, unknown dataset...); 2 a mistake in the
command line; 3 the backfill ended with partitions not written (failed,
skipped or cancelled); 4 refused (another backfill of the dataset runs, a
control the backfill rejected, a cost over budget not approved).`

// exitCodeError is an error that ends dre with a given exit code.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// refused marks err as a refusal (exit code 4).
func refused(format string, args ...any) error {
	return &exitCodeError{code: exitRefused, err: fmt.Errorf(format, args...)}
}
