package cli

import (
	"fmt"
	"io"

	"github.com/dre-dev/dre/internal/catalog"
)

// checkSQLFlags refuses a --select or --validate-sql the backfill could
// not render, and warns on stderr about one that reads its bounds the
// deprecated way (@from and @to), saying what to write instead.
func (f *backfillStartFlags) checkSQLFlags(stderr io.Writer) error {
	for _, flag := range []struct{ name, text string }{{"--select", f.sel}, {"--validate-sql", f.validateSQL}} {
		if flag.text == "" {
			continue
		}
		if _, err := catalog.ExpandBounds(flag.text, "@from", "@to"); err != nil {
			return &usageError{fmt.Errorf("%s: %v", flag.name, err)}
		}
		if warning := catalog.BoundsWarning(flag.text); warning != "" {
			fmt.Fprintf(stderr, "warning: %s: %s\n", flag.name, warning)
		}
	}
	return nil
}
