package runbooks

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes, starting from the stock and the
// broken runbooks. Parse must never panic, must explain a failure with
// problems that name the file, and what it accepts must lint without
// panicking and survive a JSON round trip with its hash. A draft of what
// it refuses must lint without panicking too.
func FuzzParse(f *testing.F) {
	addSeeds(f, "stock/*.yaml", "testdata/broken/*.yaml")
	f.Add([]byte(everyKind))
	f.Fuzz(func(t *testing.T, data []byte) {
		if draft, _ := parseDraft("fuzz.yaml", data); draft != nil {
			Lint([]*Runbook{draft}, []string{"orders"})
		}
		rb, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ps *Problems
			if !errors.As(err, &ps) || len(*ps) == 0 {
				t.Fatalf("Parse error %v is not a list of problems", err)
			}
			for _, p := range *ps {
				if p.File != "fuzz.yaml" || p.Message == "" {
					t.Fatalf("problem %q does not name the file or has no message", p)
				}
			}
			return
		}
		Lint([]*Runbook{rb}, []string{"orders"})
		encoded, err := json.Marshal(rb)
		if err != nil {
			t.Fatal(err)
		}
		var back Runbook
		if err := json.Unmarshal(encoded, &back); err != nil {
			t.Fatal(err)
		}
		if Hash(&back) != rb.Source.Hash {
			t.Fatalf("the hash changed in a JSON round trip")
		}
	})
}

// addSeeds adds the files matching patterns to the seed corpus.
func addSeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}
