package pii

import (
	"os"
	"testing"
)

func TestDebugY(t *testing.T) {
	fo := runFakerCorpus(t, 5, 12)
	for _, l := range fo.Locales {
		for _, v := range l.Families[os.Getenv("FAM")] {
			if !mentions(v)[Kind(os.Getenv("KIND"))] {
				t.Logf("%s %q", l.Locale, v)
			}
		}
	}
}
