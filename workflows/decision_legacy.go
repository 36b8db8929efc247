package workflows

// legacyDecider is who a run recorded before the decision guard takes a
// decision from: the Slack user a gateway passed it on for (whose By is
// then the relay), else the name given. Such runs check names only, as
// they did when they started.
func legacyDecider(by string, p Proof) string {
	if p.Via == ViaSlack && p.SlackUser != "" {
		return p.SlackUser
	}
	return by
}
