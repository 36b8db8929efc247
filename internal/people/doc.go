// Package people is dre's directory of the people who make decisions:
// the people: and groups: sections of dre.yaml.
//
// Each person has a stable ID (the key under people:), a Slack user ID,
// public signing keys (authorized_keys or allowed_signers lines, as
// ssh-keygen and git use them) and a principal per warehouse: the
// PostgreSQL role or BigQuery IAM member that acts for them. Directory
// answers "who is this?" for a Slack user ID or a key fingerprint, and
// "who do they act as?" for a warehouse. Every refusal (an unknown
// person, key or Slack user, a missing principal, a principal that means
// everyone such as PUBLIC) says what to add to dre.yaml.
//
// Validate checks a directory the way package config reports problems:
// with key paths like people.alice.keys[1].
package people
