package authz

import (
	"fmt"
	"testing"

	"github.com/dre-dev/dre/internal/people"
)

// BenchmarkAuthzCheck measures what the policy adds to an update
// validator after the signature check: a rule of three groups of 50 over a
// directory of 200 people, the decider in the last group.
func BenchmarkAuthzCheck(b *testing.B) {
	persons := map[string]people.Person{}
	groups := map[string]people.Group{}
	for i := range 200 {
		id := fmt.Sprintf("p%03d", i)
		persons[id] = people.Person{SlackUser: fmt.Sprintf("U%06d", i)}
		g := groups[fmt.Sprintf("g%d", i/50)]
		g.People = append(g.People, id)
		groups[fmt.Sprintf("g%d", i/50)] = g
	}
	dir := people.NewDirectory(persons, groups)
	p := Policy{Rules: map[string][]string{TriageResolve: {"g0", "g1", "g2", Owner}}}
	who := Decider{Person: "p149", Name: "U000149", NameCounts: true}
	for b.Loop() {
		if err := p.Check(dir, TriageResolve, who, Facts{Dataset: "orders", OwnerTeam: "g3"}); err != nil {
			b.Fatal(err)
		}
	}
}
