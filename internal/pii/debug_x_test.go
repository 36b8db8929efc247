package pii

import (
	"os"
	"strings"
	"testing"
)

func TestDebugX(t *testing.T) {
	fo := runFakerCorpus(t, 5, 8)
	fams := strings.Split(os.Getenv("FAMS"), ",")
	col := os.Getenv("COL")
	for _, l := range fo.Locales {
		for _, fam := range fams {
			for _, v := range l.Families[fam] {
				var s float64
				for _, d := range Detectors() {
					if d.Kind() == Kind(os.Getenv("KIND")) {
						s = d.Score(col, v)
					}
				}
				if s < 0.5 {
					t.Logf("%s %s %.2f %q", l.Locale, fam, s, v)
				}
			}
		}
	}
}
