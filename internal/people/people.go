package people

// Person is one entry under people: in dre.yaml, keyed by a stable ID
// that decisions and the audit log name.
type Person struct {
	ID string `yaml:"-"` // the key under people:
	// Name is how reports show the person, like "Alice Example".
	Name string `yaml:"name"`
	// SlackUser is the person's Slack user ID (U... or W...), the
	// identity Slack's signed requests carry.
	SlackUser string `yaml:"slack_user"`
	// SlackTeam optionally pins the Slack workspace (T...) the user ID
	// belongs to, for people in a Slack Connect channel.
	SlackTeam string `yaml:"slack_team"`
	// Keys are the public keys whose signatures count as this person's
	// decisions.
	Keys []PublicKey `yaml:"keys"`
	// Principals maps a warehouse name to the person's identity there: a
	// PostgreSQL role, or a BigQuery IAM member (user:, group: or
	// serviceAccount:).
	Principals map[string]string `yaml:"principals"`
}

// Label returns the person's name for reports: Name, or the ID.
func (p Person) Label() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// Group is one entry under groups: in dre.yaml: named people and,
// optionally, Slack user groups whose members also count.
type Group struct {
	Name string `yaml:"-"` // the key under groups:
	// People are IDs of entries under people:.
	People []string `yaml:"people"`
	// SlackGroups are Slack user group IDs (S...), resolved through
	// Slack's API by whoever checks membership.
	SlackGroups []string `yaml:"slack_groups"`
}

// WarehouseKind is the kind of database a principal must suit.
type WarehouseKind string

// The warehouse kinds whose principals dre checks.
const (
	Postgres WarehouseKind = "postgres"
	BigQuery WarehouseKind = "bigquery"
)
