package runbooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Hash returns the hex SHA-256 of rb's canonical JSON: the definition
// without its Source and step positions, so that moving a file or
// editing its comments keeps the hash, and any change to what the
// runbook does changes it. encoding/json writes struct fields in order
// and map keys sorted, which makes the JSON canonical.
func Hash(rb *Runbook) string {
	c := clone(rb)
	c.Source = Source{}
	eachStep("steps", c.Steps, func(_ string, s *Step) { s.Pos = Position{} })
	data, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("runbooks: a runbook does not encode as JSON: %v", err))
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// clone deep-copies rb through JSON, which is how runbooks travel anyway.
func clone(rb *Runbook) *Runbook {
	data, err := json.Marshal(rb)
	if err != nil {
		panic(fmt.Sprintf("runbooks: a runbook does not encode as JSON: %v", err))
	}
	var c Runbook
	if err := json.Unmarshal(data, &c); err != nil {
		panic(fmt.Sprintf("runbooks: a runbook does not decode from its own JSON: %v", err))
	}
	return &c
}
