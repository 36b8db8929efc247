package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/workflows"
)

// The timeline says how each decision was proven: the signing key, or
// unverified; events nobody decided say nothing of the kind.
func TestDeprecationTimelineShowsTheEvidence(t *testing.T) {
	at := time.Date(2027, 3, 4, 9, 0, 0, 0, time.UTC)
	s := workflows.DeprecateStatus{Table: "public.legacy", Timeline: []workflows.DeprecateEvent{
		{At: at, Phase: "remind", What: "vetoed: still read", By: "mallory", Evidence: "SHA256:abc"},
		{At: at, Phase: "remind", What: "acknowledged", By: "U0READER", Evidence: workflows.Unverified},
		{At: at, Phase: "remind", What: "reminded 2 consumers"},
	}}
	var out bytes.Buffer
	printDeprecation(&out, s)
	for _, want := range []string{"vetoed: still read (mallory, signed by SHA256:abc)", "acknowledged (U0READER, unverified)", "reminded 2 consumers\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}
