package pii

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakerDir holds the npm package whose script prints the multi-locale
// corpus; `make fakerdata` installs its pinned @faker-js/faker.
const fakerDir = "../../tests/peers/fakerdata"

// localeGroups are the locale groups precision and recall are reported by.
var localeGroups = map[string]string{
	"en": "en", "en_IN": "en",
	"de": "latin-eu", "fr": "latin-eu", "es": "latin-eu", "it": "latin-eu", "pt_BR": "latin-eu",
	"nl": "latin-eu", "sv": "latin-eu", "pl": "latin-eu",
	"ru": "cyrillic", "uk": "cyrillic",
	"el": "greek",
	"ja": "cjk", "zh_CN": "cjk", "ko": "cjk",
	"ar": "arabic-hebrew", "he": "arabic-hebrew",
}

// fakerFamily says what a family of the script's output is: the column
// names it goes by (a "table.column" sets the table too), its type and
// the kinds a column of it truly holds (none for a decoy).
type fakerFamily struct {
	columns []string
	typ     string
	kinds   []Kind
}

// What counts as personal data: a person's full, given or family name; a
// street address or full postal address; a postal code in a column named
// as one (it narrows a person down to a few streets, and the scan cannot
// tell it from any five digits otherwise); phone numbers and emails, alone
// or mentioned in free text. Company names, cities, countries, street
// names without a house number, product and book titles, job titles are
// not: they describe no one, though they share words with names.
var fakerFamilies = map[string]fakerFamily{
	"full_name":      {[]string{"full_name", "customer_name", "contact_name", "customers.name", "recipient", "c3"}, "text", []Kind{Name}},
	"first_name":     {[]string{"first_name", "given_name", "firstname"}, "text", []Kind{Name}},
	"last_name":      {[]string{"last_name", "surname", "family_name"}, "text", []Kind{Name}},
	"street_address": {[]string{"street_address", "address_line1", "addr", "street", "c4"}, "text", []Kind{Address}},
	"full_address":   {[]string{"address", "shipping_address", "billing_address", "location", "c7"}, "text", []Kind{Address}},
	"postal_code":    {[]string{"postal_code", "zip", "postcode"}, "text", []Kind{Address}},
	"phone":          {[]string{"phone", "mobile", "tel", "c2"}, "text", []Kind{Phone}},
	"email":          {[]string{"email", "contact", "c1"}, "text", []Kind{Email}},
	"note_name":      {[]string{"note", "comment", "description", "message"}, "text", []Kind{Name}},
	"note_address":   {[]string{"note", "comment", "description", "message"}, "text", []Kind{Address}},
	"note_phone":     {[]string{"note", "comment", "description", "message"}, "text", []Kind{Phone}},
	"note_email":     {[]string{"note", "comment", "description", "message"}, "text", []Kind{Email}},
	"company":        {[]string{"company", "vendor", "employer", "suppliers.name"}, "text", nil},
	"city":           {[]string{"city", "town"}, "text", nil},
	"country":        {[]string{"country"}, "text", nil},
	"street_name":    {[]string{"street_name"}, "text", nil},
	"product_name":   {[]string{"product_name", "products.name", "title", "item"}, "text", nil},
	"job_title":      {[]string{"job_title", "role"}, "text", nil},
	"book_title":     {[]string{"title", "books.name"}, "text", nil},
	"review":         {[]string{"review", "description", "comment", "note"}, "text", nil},
	"log_line":       {[]string{"log_line", "message"}, "text", nil},
	"uuid":           {[]string{"id", "request_id"}, "uuid", nil},
	"isbn":           {[]string{"isbn"}, "text", nil},
	"commit_sha":     {[]string{"commit", "sha"}, "text", nil},
	"created_at":     {[]string{"created_at"}, "timestamptz", nil},
	"amount":         {[]string{"amount", "price"}, "numeric", nil},
}

// fakerOutput is what corpus.mjs prints.
type fakerOutput struct {
	Locales []struct {
		Locale   string              `json:"locale"`
		Families map[string][]string `json:"families"`
	} `json:"locales"`
}

// runFakerCorpus runs corpus.mjs with node and returns its values; it
// fails the test, never skips it, when node or the package is missing.
func runFakerCorpus(tb testing.TB, seed, values int) fakerOutput {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(fakerDir, "node_modules", "@faker-js", "faker")); err != nil {
		tb.Fatalf("the evaluation corpus needs @faker-js/faker: run `make fakerdata` (npm ci --prefix tests/peers/fakerdata); %v", err)
	}
	cmd := exec.Command("node", "corpus.mjs", "--seed", fmt.Sprint(seed), "--values", fmt.Sprint(values))
	cmd.Dir = fakerDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node corpus.mjs (node from Debian's nodejs package, or nodejs.org): %v\n%s", err, stderr.String())
	}
	var fo fakerOutput
	if err := json.Unmarshal(out, &fo); err != nil {
		tb.Fatalf("reading corpus.mjs output: %v", err)
	}
	return fo
}

// fakerColumns cuts each locale's families into columns of rows values,
// named after the family's columns in turn, plus a JSON column per
// locale that nests a name, an email and an address.
func fakerColumns(tb testing.TB, fo fakerOutput, rows int) []evalColumn {
	var out []evalColumn
	for _, l := range fo.Locales {
		group := localeGroups[l.Locale]
		if group == "" {
			tb.Fatalf("locale %s has no group in localeGroups", l.Locale)
		}
		for _, name := range slices.Sorted(maps.Keys(l.Families)) {
			fam, ok := fakerFamilies[name]
			if !ok {
				tb.Fatalf("corpus.mjs family %s is not in fakerFamilies: say what it is", name)
			}
			vals := l.Families[name]
			if name == "street_name" && l.Locale == "ja" {
				// faker's Japanese streets are numbered blocks ("6丁目1番8号"):
				// a house's address without the town, not a street's name.
				fam.kinds = []Kind{Address}
			}
			for i := 0; i+rows <= len(vals); i += rows {
				out = append(out, evalColumn{family: name + "/" + l.Locale, group: group, kinds: fam.kinds,
					info: columnInfo(fam.columns[(i/rows)%len(fam.columns)], fam.typ), values: vals[i : i+rows]})
			}
		}
		out = append(out, fakerJSONColumn(l.Locale, group, l.Families, rows))
	}
	return out
}

// fakerJSONColumn nests faker's names, emails and addresses in documents.
func fakerJSONColumn(locale, group string, fams map[string][]string, rows int) evalColumn {
	c := evalColumn{family: "json/" + locale, group: group, kinds: []Kind{Email, Name, Address}, info: ColumnInfo{Name: "payload", Type: "jsonb"}}
	for i := range min(rows, len(fams["full_name"])) {
		c.values = append(c.values, jsonDoc(map[string]any{"event": "order", "id": fams["uuid"][i],
			"customer": map[string]any{"name": fams["full_name"][i], "email": fams["email"][i]},
			"delivery": map[string]any{"address": fams["full_address"][i], "note": fams["review"][i]}}))
	}
	return c
}

// columnInfo reads "table.column" as a table and a column.
func columnInfo(name, typ string) ColumnInfo {
	if table, col, ok := strings.Cut(name, "."); ok {
		return ColumnInfo{Table: table, Name: col, Type: typ}
	}
	return ColumnInfo{Name: name, Type: typ}
}
