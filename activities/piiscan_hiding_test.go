package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// Values of the hiding-places table, varied across locales.
var (
	hidingNames = []string{"Olivia Martin", "Hans Müller", "José García", "Priya Sharma", "Иван Петров", "王伟",
		"Kwame Mensah", "Marie Dubois", "Yuki Tanaka", "Fatima Khan", "Lukas Schneider", "Ana Souza"}
	hidingStreets = []string{"221B Baker Street", "Hauptstraße 5", "12 rue de la Paix", "1600 Amphitheatre Parkway",
		"Calle Mayor 12", "Kerkstraat 12", "ул. Ленина, 10", "北京市朝阳区建国路88号", "48 Oak Avenue", "7 Elm Road"}
	// hidingReviews are product reviews and support replies: capitalised
	// brands and places, numbers, no person and no address.
	hidingReviews = []string{"The Apollo X2 headphones arrived quickly and sound great on long flights.",
		"Ordered 3 Nordic Oak shelves; two were fine, one had a scratch on the left panel.",
		"Works with Google Home and Apple HomeKit, setup took about 10 minutes.",
		"Le câble USB-C fourni est trop court, mais la qualité générale est très bonne.",
		"We replaced the Model 7 charger under warranty and closed ticket 4412 after testing."}
)

// hidingTables fills public.tickets with each place real tables hide PII
// and public.events with text and JSON that look busy but hold none.
func hidingTables(n int) string {
	var b strings.Builder
	b.WriteString(`CREATE TABLE public.tickets (id bigint, payload jsonb, note text, full_name text, street_address text, ssn text,
  agent_log text);
COMMENT ON COLUMN public.tickets.note IS 'free-text notes from support agents';
CREATE TABLE public.events (id bigint, product_name text, log_line text, config jsonb, order_ref text, isbn text,
  session_id uuid, checksum text, happened_at timestamptz, description text, review text);
`)
	for i := range n {
		note := fmt.Sprintf("Customer asked about order ORD-%06d; shipped on 2026-03-%02d.", 4000+i, 1+i%28)
		if i%3 == 0 {
			note += fmt.Sprintf(" Call back on +44 7700 9%05d.", i)
		}
		payload := fmt.Sprintf(`{"event":"signup","user":{"email":"user%d@example.org","plan":"pro"},"items":[{"sku":"SKU-%04d","qty":%d}]}`, i, i, 1+i%4)
		fmt.Fprintf(&b, "INSERT INTO public.tickets VALUES (%d, '%s', '%s', '%s', '%s', NULL, '%s');\n", i, payload, note,
			hidingNames[i%len(hidingNames)], hidingStreets[i%len(hidingStreets)], agentLog(i))
		config := fmt.Sprintf(`{"retries":%d,"timeout":"%ds","features":{"beta":%t,"region":"eu-west-%d"},"version":"1.%d.0"}`, i%5, 10+i, i%2 == 0, 1+i%3, i%9)
		fmt.Fprintf(&b, "INSERT INTO public.events VALUES (%d, '%s', '%s', '%s', 'ORD-%08d', '978-0-%02d-%06d-%d', gen_random_uuid(), md5('%d'), now() - interval '%d minutes', '%s', '%s');\n",
			i, []string{"Ergonomic Steel Chair", "Rustic Wooden Table", "Sleek Cotton Shirt", "Smart Bamboo Lamp"}[i%4],
			fmt.Sprintf("2026-03-01T12:%02d:00Z level=info msg=\"request done\" path=/api/v2/orders/%d status=200 duration=%dms", i%60, i, 3+i%90),
			config, 10000000+i, i%100, i, i%10, i, i, []string{"Fast shipping, great value.", "Color may vary slightly.", "Assembly required, 2 hours."}[i%3],
			strings.ReplaceAll(hidingReviews[i%len(hidingReviews)], "'", "''"))
	}
	return b.String()
}

// agentLog is a support agent's note: every other row names the customer
// it was about, and every fourth row the address a parcel went to.
func agentLog(i int) string {
	log := fmt.Sprintf("Ticket %d reviewed; refund approved after checking the courier report.", 7000+i)
	if i%2 == 0 {
		log = fmt.Sprintf("Spoke with %s about the delayed parcel, refund approved.", hidingNames[(i/2)%len(hidingNames)])
	}
	if i%4 == 1 {
		log += fmt.Sprintf(" Parcel returned from %s to the depot.", hidingStreets[(i/4)%len(hidingStreets)])
	}
	return log
}

func hidingEnv(t *testing.T) *testsuite.TestActivityEnvironment {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), hidingTables(60)); err != nil {
		t.Fatalf("creating the tables: %v", err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.PIIScans{Warehouses: reg})
	return env
}

func scanTable(t *testing.T, env *testsuite.TestActivityEnvironment, table string) activities.PIIDatasetScan {
	t.Helper()
	var a *activities.PIIScans
	val, err := env.ExecuteActivity(a.ScanDataset, activities.PIIScanInput{Dataset: table, Warehouse: "local", Table: "public." + table, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var scan activities.PIIDatasetScan
	if err := val.Get(&scan); err != nil {
		t.Fatal(err)
	}
	return scan
}

func TestPIIScanFindsEachHidingPlace(t *testing.T) {
	env := hidingEnv(t)
	scan := scanTable(t, env, "tickets")
	got := map[string]string{}
	for _, c := range scan.Untagged {
		got[c.Column+" "+c.Path+" "+string(c.Found)] = c.Mode
		if (c.Found == catalog.PIIName || c.Found == catalog.PIIAddress) && len(c.Reasons) == 0 {
			t.Errorf("%s found as %s without reasons", c.Column, c.Found)
		}
	}
	want := map[string]string{
		"payload payload.user.email email": "is",
		"note  phone":                      "contains",
		"full_name  name":                  "is",
		"street_address  address":          "is",
		"agent_log  name":                  "contains",
		"agent_log  address":               "contains",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("untagged findings %v; want %v", got, want)
	}
	for _, c := range scan.Untagged {
		if c.Column == "note" && (c.Ratio < 0.3 || c.Ratio > 0.37) {
			t.Errorf("note mentions phones in %.2f of rows; want about a third", c.Ratio)
		}
		if c.Column == "agent_log" && c.Found == catalog.PIIName && (c.Ratio < 0.45 || c.Ratio > 0.55 || len(c.Reasons) == 0) {
			t.Errorf("agent_log mentions names in %.2f of rows (reasons %v); want about half, with a reason", c.Ratio, c.Reasons)
		}
		if c.Column == "agent_log" && c.Found == catalog.PIIAddress && (c.Ratio < 0.2 || c.Ratio > 0.3) {
			t.Errorf("agent_log mentions addresses in %.2f of rows; want about a quarter", c.Ratio)
		}
	}
	if len(scan.Likely) != 1 || scan.Likely[0].Column != "ssn" || scan.Likely[0].Kind != catalog.PIINationalID || scan.Likely[0].Sampled != 0 {
		t.Errorf("likely PII %+v; want the empty ssn column as national_id", scan.Likely)
	}
	if scan.SampleMethod != "all 60 rows" {
		t.Errorf("sample method %q; want all 60 rows", scan.SampleMethod)
	}
}

func TestPIIScanOfDecoysFlagsNothing(t *testing.T) {
	env := hidingEnv(t)
	scan := scanTable(t, env, "events")
	if len(scan.Untagged) != 0 || len(scan.Likely) != 0 {
		t.Errorf("decoys flagged: untagged %+v, likely %+v; want nothing", scan.Untagged, scan.Likely)
	}
}
