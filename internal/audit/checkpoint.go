package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// CheckpointNamespace is the SSHSIG namespace of checkpoint signatures:
// their own, so a checkpoint signature never counts as a decision.
const CheckpointNamespace = "dre-audit-checkpoint@dre.dev"

// Checkpoint is the chain's head at one time. Kept signed outside the
// database (a file, a ticket), it shows what the chain cannot show by
// itself: that its newest records were deleted, or the whole table
// dropped and re-created.
type Checkpoint struct {
	Seq     int64     `json:"seq"`     // the head record's sequence number
	Head    string    `json:"head"`    // the head record's hash
	Records int64     `json:"records"` // how many records the chain held
	At      time.Time `json:"at"`      // when the checkpoint was taken
}

// SameHead reports whether c and o checkpoint the same head of the same
// log, whenever they were taken.
func (c Checkpoint) SameHead(o Checkpoint) bool {
	return c.Seq == o.Seq && c.Head == o.Head && c.Records == o.Records
}

// Payload is the text a checkpoint's signature covers.
func (c Checkpoint) Payload() []byte {
	return fmt.Appendf(nil, "dre audit checkpoint\nseq %d\nhead %s\nrecords %d\nat %s\n",
		c.Seq, c.Head, c.Records, c.At.UTC().Format(time.RFC3339Nano))
}

// SignedCheckpoint is a checkpoint with its SSH signature, as written to a
// checkpoint file. Signer and Fingerprint say who signed, for people
// reading the file; verification trusts only the signature's key.
type SignedCheckpoint struct {
	Checkpoint
	Signer      string `json:"signer"`
	Fingerprint string `json:"fingerprint"`
	Signature   string `json:"signature"`
}

// SignCheckpoint signs c with signer, which must be a key of a person in
// dir (the signature would not verify otherwise).
func SignCheckpoint(c Checkpoint, signer ssh.Signer, dir *people.Directory) (SignedCheckpoint, error) {
	sig, err := decision.SignPayload(c.Payload(), CheckpointNamespace, signer)
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("signing the checkpoint: %w", err)
	}
	sc := SignedCheckpoint{Checkpoint: c, Signature: sig}
	who, err := sc.VerifySignature(dir)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	sc.Signer, sc.Fingerprint = who.Person.ID, who.Fingerprint
	return sc, nil
}

// VerifySignature checks the signature against the people directory and
// returns who signed.
func (sc SignedCheckpoint) VerifySignature(dir *people.Directory) (decision.Verified, error) {
	who, err := decision.VerifyPayload(sc.Payload(), sc.Signature, CheckpointNamespace, dir)
	if err != nil {
		return decision.Verified{}, fmt.Errorf("checkpoint of record %d: %w", sc.Seq, err)
	}
	return who, nil
}

// ParseCheckpoint reads a checkpoint file.
func ParseCheckpoint(data []byte) (SignedCheckpoint, error) {
	var sc SignedCheckpoint
	if err := json.Unmarshal(data, &sc); err != nil {
		return SignedCheckpoint{}, fmt.Errorf("not a checkpoint document: %w", err)
	}
	if sc.Seq <= 0 || sc.Head == "" || sc.Signature == "" {
		return SignedCheckpoint{}, errors.New("not a checkpoint document: it needs seq, head and signature (written by dre audit checkpoint)")
	}
	return sc, nil
}

// MarshalIndent writes the checkpoint document.
func (sc SignedCheckpoint) MarshalIndent() []byte {
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("audit: marshalling a checkpoint: %v", err)) // only strings, numbers and a time
	}
	return append(b, '\n')
}
