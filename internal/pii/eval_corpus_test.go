package pii

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// The evaluation corpus is made at test time by fake-data libraries
// written apart from these detectors, so that it does not echo the
// detectors' own lists: gofakeit (US English) for the structured kinds,
// JSON and decoys here, and @faker-js/faker for names, addresses, phones,
// emails and free text in eighteen locales (eval_faker_test.go).

// evalFamily is one kind of column: the names such a column goes by, the
// kinds it truly holds, and a generator of one row.
type evalFamily struct {
	name    string
	columns []string
	typ     string
	kinds   []Kind
	gen     func(f *gofakeit.Faker) string
}

// evalColumn is one generated column with its truth.
type evalColumn struct {
	family string
	// group is the locale group the column's values come from.
	group  string
	info   ColumnInfo
	kinds  []Kind
	values []string
}

// evalCorpus returns n columns of each family, rows values each.
func evalCorpus(seed uint64, n, rows int) []evalColumn {
	f := gofakeit.New(seed)
	var out []evalColumn
	for _, fam := range append(evalPositives(), evalDecoys()...) {
		for range n {
			c := evalColumn{family: fam.name, group: gofakeitGroup, kinds: fam.kinds,
				info: ColumnInfo{Name: fam.columns[f.IntN(len(fam.columns))], Type: fam.typ}}
			for range rows {
				c.values = append(c.values, fam.gen(f))
			}
			out = append(out, c)
		}
	}
	return out
}

// gofakeitGroup is the locale group of gofakeit's columns.
const gofakeitGroup = "en-gofakeit"

func dateOf(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }

func pick(f *gofakeit.Faker, options ...string) string { return options[f.IntN(len(options))] }

func evalPositives() []evalFamily {
	return []evalFamily{
		{"email", []string{"email", "contact", "login", "c3"}, "text", []Kind{Email}, func(f *gofakeit.Faker) string { return f.Email() }},
		{"phone", []string{"phone", "mobile", "tel", "contact_number"}, "text", []Kind{Phone}, func(f *gofakeit.Faker) string { return f.PhoneFormatted() }},
		{"card", []string{"card_number", "pan", "payment"}, "text", []Kind{Card}, func(f *gofakeit.Faker) string { return f.CreditCardNumber(nil) }},
		{"iban", []string{"iban", "account"}, "text", []Kind{IBAN}, func(f *gofakeit.Faker) string { return genIBAN(fakerRand(f)) }},
		{"ssn", []string{"ssn", "social_security_number"}, "text", []Kind{SSN}, func(f *gofakeit.Faker) string { return f.SSN() }},
		{"ipv4", []string{"ip", "client_ip", "remote_addr"}, "text", []Kind{IP}, func(f *gofakeit.Faker) string { return f.IPv4Address() }},
		{"ipv6", []string{"ip", "client_ip"}, "text", []Kind{IP}, func(f *gofakeit.Faker) string { return f.IPv6Address() }},
		{"dob", []string{"dob", "birth_date", "date_of_birth"}, "date", []Kind{DOB}, func(f *gofakeit.Faker) string {
			return f.DateRange(dateOf(1930), dateOf(2008)).Format("2006-01-02")
		}},
		{"full-name", []string{"full_name", "customer_name", "name", "customer", "contact_name"}, "text", []Kind{Name}, func(f *gofakeit.Faker) string { return f.Name() }},
		{"first-name", []string{"first_name", "given_name"}, "text", []Kind{Name}, func(f *gofakeit.Faker) string { return f.FirstName() }},
		{"last-name", []string{"last_name", "surname"}, "text", []Kind{Name}, func(f *gofakeit.Faker) string { return f.LastName() }},
		{"names-no-context", []string{"col_a", "value", "party"}, "text", []Kind{Name}, func(f *gofakeit.Faker) string { return f.Name() }},
		{"street", []string{"street_address", "address", "addr", "shipping_address", "address_line1"}, "text", []Kind{Address}, func(f *gofakeit.Faker) string { return f.Street() }},
		{"full-address", []string{"address", "billing_address", "location", "c7"}, "text", []Kind{Address}, func(f *gofakeit.Faker) string { return f.Address().Address }},
		{"note-phone", []string{"note", "comment", "description"}, "text", []Kind{Phone}, func(f *gofakeit.Faker) string {
			return mention(f, 3, f.Sentence()+" Call "+f.PhoneFormatted()+" after 5pm.")
		}},
		{"note-email", []string{"note", "message", "body"}, "text", []Kind{Email}, func(f *gofakeit.Faker) string {
			return mention(f, 3, "Reply to "+f.Email()+" about "+strings.ToLower(f.ProductName())+". "+f.Sentence())
		}},
		{"json-user", []string{"payload", "data", "attributes"}, "jsonb", []Kind{Email, Name, Address}, func(f *gofakeit.Faker) string {
			return jsonDoc(map[string]any{"event": pick(f, "signup", "order", "refund"), "id": f.UUID(),
				"user":     map[string]any{"email": f.Email(), "name": f.Name(), "plan": pick(f, "free", "pro")},
				"shipping": map[string]any{"street": f.Street(), "city": f.City(), "zip": f.Zip()}})
		}},
	}
}

func evalDecoys() []evalFamily {
	none := []Kind(nil)
	return []evalFamily{
		{"order-number", []string{"order_ref", "order_number"}, "text", none, func(f *gofakeit.Faker) string { return f.Numerify("ORD-########") }},
		{"isbn", []string{"isbn"}, "text", none, func(f *gofakeit.Faker) string { return f.Numerify("978-#-##-######-#") }},
		{"uuid", []string{"id", "session_id", "request_id"}, "uuid", none, func(f *gofakeit.Faker) string { return f.UUID() }},
		{"hash", []string{"checksum", "sha256", "etag"}, "text", none, func(f *gofakeit.Faker) string {
			sum := sha256.Sum256([]byte(f.Word() + f.DigitN(6)))
			return hex.EncodeToString(sum[:])
		}},
		{"timestamp", []string{"created_at", "updated_at", "happened_at"}, "timestamptz", none, func(f *gofakeit.Faker) string {
			return f.DateRange(dateOf(2018), dateOf(2026)).Format("2006-01-02 15:04:05-07")
		}},
		{"product-name", []string{"product_name", "name", "title", "item"}, "text", none, func(f *gofakeit.Faker) string { return f.ProductName() }},
		{"company", []string{"company", "vendor", "name"}, "text", none, func(f *gofakeit.Faker) string { return f.Company() }},
		{"city", []string{"city", "town"}, "text", none, func(f *gofakeit.Faker) string { return f.City() }},
		{"job-title", []string{"job_title", "role"}, "text", none, func(f *gofakeit.Faker) string { return f.JobTitle() }},
		{"book-title", []string{"title", "name"}, "text", none, func(f *gofakeit.Faker) string { return f.BookTitle() }},
		{"sentence", []string{"description", "note", "comment"}, "text", none, func(f *gofakeit.Faker) string { return f.Sentence() }},
		{"log-line", []string{"log_line", "message", "line"}, "text", none, func(f *gofakeit.Faker) string {
			return fmt.Sprintf("%s level=%s msg=%q method=%s path=/api/v%d/%s/%s status=%d duration=%dms", f.DateRange(dateOf(2025), dateOf(2026)).Format("2006-01-02T15:04:05Z"),
				f.LogLevel("general"), f.HackerPhrase(), f.HTTPMethod(), 1+f.IntN(3), f.Noun(), f.UUID(), f.HTTPStatusCode(), f.IntN(5000))
		}},
		{"config-json", []string{"config", "settings", "payload"}, "jsonb", none, func(f *gofakeit.Faker) string {
			return jsonDoc(map[string]any{"retries": f.IntN(10), "timeout": fmt.Sprintf("%ds", f.IntN(120)), "region": pick(f, "eu-west-1", "us-east-2", "ap-south-1"),
				"features": map[string]any{"beta": f.Bool(), "theme": f.Color(), "app": f.AppName()}, "version": fmt.Sprintf("%d.%d.%d", f.IntN(5), f.IntN(20), f.IntN(50)),
				"owner_team": f.Company(), "build": f.UUID()})
		}},
		{"amount", []string{"amount", "price"}, "numeric", none, func(f *gofakeit.Faker) string { return fmt.Sprintf("%.2f", f.Price(1, 5000)) }},
		{"user-agent", []string{"user_agent"}, "text", none, func(f *gofakeit.Faker) string { return f.UserAgent() }},
		{"category", []string{"category", "name"}, "text", none, func(f *gofakeit.Faker) string { return f.ProductCategory() }},
		{"url", []string{"url", "link"}, "text", none, func(f *gofakeit.Faker) string { return f.URL() }},
	}
}

// mention returns text with PII in one of every n rows, the rest a plain
// sentence.
func mention(f *gofakeit.Faker, n int, withPII string) string {
	if f.IntN(n) == 0 {
		return withPII
	}
	return f.Sentence()
}

func jsonDoc(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// fakerRand is a math/rand source drawn from f, for the IBAN generator
// gofakeit lacks.
func fakerRand(f *gofakeit.Faker) *rand.Rand {
	return rand.New(rand.NewPCG(f.Uint64(), f.Uint64()))
}
