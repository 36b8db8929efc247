package audit

import (
	"context"
	"fmt"
	"time"
)

// Verification is the outcome of Verify.
type Verification struct {
	Records int64 `json:"records"`
	// Head is the hash of the last good record: keep it elsewhere to
	// detect a later truncation.
	Head string `json:"head"`
	// Bad describes the first record where the chain breaks; nil when the
	// whole chain verifies.
	Bad *Problem `json:"bad,omitempty"`
}

// Problem names the first bad record and what is wrong with it.
type Problem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string { return fmt.Sprintf("audit record %d: %s", p.Seq, p.Reason) }

// Verify walks the whole chain from the first record and stops at the
// first one that does not fit: a gap in the sequence (deleted records), a
// previous-hash link that does not match (deleted or reordered records),
// or a hash that does not match the content (an edit).
func (l *Log) Verify(ctx context.Context) (Verification, error) {
	var v Verification
	prev := Record{}
	err := l.Each(ctx, time.Time{}, time.Time{}, func(r Record) error {
		if p := check(prev, r); p != nil {
			v.Bad = p
			return p
		}
		v.Records++
		v.Head = r.Hash
		prev = r
		return nil
	})
	if v.Bad != nil {
		return v, nil
	}
	return v, err
}

// check compares a record with its predecessor (the zero Record before
// the first).
func check(prev, r Record) *Problem {
	switch {
	case r.Seq != prev.Seq+1:
		return &Problem{Seq: r.Seq, Reason: fmt.Sprintf("follows record %d: records %d to %d are missing (deleted)", prev.Seq, prev.Seq+1, r.Seq-1)}
	case r.PrevHash != prev.Hash:
		return &Problem{Seq: r.Seq, Reason: fmt.Sprintf("its previous-hash link does not match record %d (records deleted, reordered or rewritten)", prev.Seq)}
	case r.ComputeHash() != r.Hash:
		return &Problem{Seq: r.Seq, Reason: "its content does not match its hash (edited)"}
	}
	return nil
}
