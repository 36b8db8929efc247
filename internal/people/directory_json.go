package people

import "encoding/json"

// directoryJSON is a Directory's JSON form: its people and groups. Keys
// encode as their text lines, so the form is what dre.yaml says.
type directoryJSON struct {
	People map[string]Person `json:"people"`
	Groups map[string]Group  `json:"groups"`
}

// MarshalJSON encodes the people and groups, so that a Directory can
// travel in a workflow's input or an activity's result (Temporal's
// default converter is JSON) and be checked against inside the workflow.
func (d *Directory) MarshalJSON() ([]byte, error) {
	return json.Marshal(directoryJSON{People: d.people, Groups: d.groups})
}

// UnmarshalJSON decodes what MarshalJSON wrote and rebuilds the lookups.
func (d *Directory) UnmarshalJSON(data []byte) error {
	var form directoryJSON
	if err := json.Unmarshal(data, &form); err != nil {
		return err
	}
	*d = *NewDirectory(form.People, form.Groups)
	return nil
}
