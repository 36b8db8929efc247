package e2e

import "time"

// pollUntil checks cond every interval until it holds or limit has
// passed, and reports whether it held. The limit keeps a broken run from
// hanging the suite; it is a hang guard, never a speed target.
func pollUntil(limit, interval time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); ; time.Sleep(interval) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
