package pii

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// labeled is one value of the synthetic corpus: the column it sits in and
// the kind it truly is ("" for a hard negative).
type labeled struct {
	column, value string
	kind          Kind
}

// generator makes one value of a family; the family's label and column
// name travel with it.
type generator struct {
	name   string
	kind   Kind
	column string
	gen    func(r *rand.Rand) string
}

// positives produce real PII in the shapes warehouses hold it.
var positives = []generator{
	{"email", Email, "contact", genEmail},
	{"e164", Phone, "mobile", genE164},
	{"nanp", Phone, "phone_number", genNANP},
	{"national", Phone, "tel", genTrunk},
	{"card", Card, "payment", genCard},
	{"iban", IBAN, "account", genIBAN},
	{"ssn", SSN, "tax_ref", genSSN},
	{"ssn-bare", SSN, "ssn", func(r *rand.Rand) string { return strings.ReplaceAll(genSSN(r), "-", "") }},
	{"ipv4", IP, "client_addr", func(r *rand.Rand) string {
		return netip.AddrFrom4([4]byte{byte(1 + r.IntN(223)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))}).String()
	}},
	{"ipv6", IP, "client_addr", genIPv6},
	{"dob", DOB, "date_of_birth", genDOB},
}

// negatives look like PII to a naive pattern but are not: IDs, versions,
// numbers that fail the checksums, timestamps, dates that are not births.
var negatives = []generator{
	{"order-number", "", "order_ref", func(r *rand.Rand) string { return fmt.Sprintf("ORD-%08d", r.IntN(1e8)) }},
	{"order-id", "", "order_id", func(r *rand.Rand) string { return fmt.Sprintf("%d", 1e9+r.IntN(9e9)) }},
	{"nine-digit-id", "", "account_id", func(r *rand.Rand) string { return fmt.Sprintf("%09d", r.IntN(1e9)) }},
	{"version", "", "app_version", func(r *rand.Rand) string { return fmt.Sprintf("%d.%d.%d", r.IntN(20), r.IntN(30), r.IntN(100)) }},
	{"version-tag", "", "release", func(r *rand.Rand) string {
		return fmt.Sprintf("v%d.%d.%d-rc.%d", r.IntN(5), r.IntN(30), r.IntN(10), r.IntN(5))
	}},
	{"luhn-fail-16", "", "tracking_no", genLuhnFail},
	{"timestamp", "", "created_at", func(r *rand.Rand) string { return randomDay(r, 2015, 10).Add(time1s(r)).Format("2006-01-02T15:04:05Z") }},
	{"pg-timestamp", "", "updated_at", func(r *rand.Rand) string {
		return randomDay(r, 2015, 10).Add(time1s(r)).Format("2006-01-02 15:04:05-07")
	}},
	{"epoch", "", "event_ts", func(r *rand.Rand) string { return fmt.Sprintf("%d", 1.6e9+r.IntN(2e8)) }},
	{"order-date", "", "order_date", func(r *rand.Rand) string { return randomDay(r, 1990, 35).Format("2006-01-02") }},
	{"iban-bad-check", "", "reference", func(r *rand.Rand) string { return breakIBAN(genIBAN(r)) }},
	{"ssn-invalid", "", "code", genInvalidSSN},
	{"uuid", "", "session_id", func(r *rand.Rand) string {
		return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()>>16)
	}},
	{"amount", "", "amount", func(r *rand.Rand) string { return fmt.Sprintf("%d.%02d", r.IntN(1e6), r.IntN(100)) }},
	{"not-quite-email", "", "handle", func(r *rand.Rand) string {
		return []string{"@", "user@"}[r.IntN(2)] + randWord(r) + []string{"", "@localhost"}[r.IntN(2)]
	}},
	{"isbn", "", "isbn", func(r *rand.Rand) string {
		return "978-" + digits(r, 1) + "-" + digits(r, 2) + "-" + digits(r, 6) + "-" + digits(r, 1)
	}},
	{"mac", "", "device", func(r *rand.Rand) string {
		return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
	}},
	{"build-number", "", "build", func(r *rand.Rand) string {
		return fmt.Sprintf("%d.%d.%d.%d", r.IntN(10), r.IntN(10), r.IntN(10), 256+r.IntN(9000))
	}},
	{"dotted-date", "", "batch", func(r *rand.Rand) string { return randomDay(r, 2015, 10).Format("2006.01.02") }},
	{"luhn-pass-no-issuer", "", "shipment_id", genLuhnPassNoIssuer},
	{"short-dashed", "", "sku", func(r *rand.Rand) string { return fmt.Sprintf("%02d-%02d-%02d", r.IntN(100), r.IntN(100), r.IntN(100)) }},
}

// corpus returns n values of every family, in a fixed order for a seed.
func corpus(seed uint64, n int) []labeled {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []labeled
	for _, g := range append(append([]generator{}, positives...), negatives...) {
		for range n {
			out = append(out, labeled{column: g.column, value: g.gen(r), kind: g.kind})
		}
	}
	return out
}

func randWord(r *rand.Rand) string {
	words := []string{"olivia", "liam", "priya", "wei", "fatima", "lars", "diego", "yuki", "kofi", "ana"}
	return words[r.IntN(len(words))]
}

func genEmail(r *rand.Rand) string {
	sep := []string{".", "_", "", "+news."}[r.IntN(4)]
	domain := []string{"example.com", "mail.example.org", "shop.example.co.uk", "EXAMPLE.NET"}[r.IntN(4)]
	return fmt.Sprintf("%s%s%s%d@%s", randWord(r), sep, randWord(r), r.IntN(1000), domain)
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func genE164(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return "+1" + fmt.Sprint(2+r.IntN(8)) + digits(r, 2) + fmt.Sprint(2+r.IntN(8)) + digits(r, 6)
	case 1:
		return "+44 7" + digits(r, 3) + " " + digits(r, 6)
	}
	return "+49 15" + digits(r, 1) + " " + digits(r, 8)
}

func genNANP(r *rand.Rand) string {
	area, exch, line := fmt.Sprint(2+r.IntN(8))+digits(r, 2), fmt.Sprint(2+r.IntN(8))+digits(r, 2), digits(r, 4)
	return fmt.Sprintf([]string{"(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "1 %s %s %s"}[r.IntN(4)], area, exch, line)
}

func genTrunk(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return "020 " + digits(r, 4) + " " + digits(r, 4) // London
	case 1:
		return "06 " + digits(r, 2) + " " + digits(r, 2) + " " + digits(r, 2) + " " + digits(r, 2) // French mobile
	}
	return "030-" + digits(r, 8) // Berlin
}

// luhnDigit returns the check digit that makes body+digit pass Luhn.
func luhnDigit(body string) string {
	for d := range 10 {
		if luhn(body + fmt.Sprint(d)) {
			return fmt.Sprint(d)
		}
	}
	panic("unreachable")
}

func genCard(r *rand.Rand) string {
	prefix, n := []string{"4", "51", "55", "2223", "6011", "34", "37"}[r.IntN(7)], 16
	if prefix == "34" || prefix == "37" {
		n = 15
	}
	body := prefix + digits(r, n-1-len(prefix))
	num := body + luhnDigit(body)
	if r.IntN(2) == 0 || n != 16 {
		return num
	}
	return num[:4] + " " + num[4:8] + " " + num[8:12] + " " + num[12:]
}

// genLuhnFail returns 16 random digits that fail Luhn, sometimes grouped.
func genLuhnFail(r *rand.Rand) string {
	num := digits(r, 16)
	if luhn(num) {
		last := (num[15]-'0'+1)%10 + '0'
		num = num[:15] + string(rune(last))
	}
	if r.IntN(2) == 0 {
		return num[:4] + " " + num[4:8] + " " + num[8:12] + " " + num[12:]
	}
	return num
}

// genLuhnPassNoIssuer returns 16 digits that pass Luhn but start with a
// 9 or a 1, which no card network issues: IDs built with a check digit.
func genLuhnPassNoIssuer(r *rand.Rand) string {
	body := []string{"9", "1"}[r.IntN(2)] + digits(r, 14)
	return body + luhnDigit(body)
}

func genIBAN(r *rand.Rand) string {
	country := []string{"DE", "GB", "FR", "NL", "ES", "IT"}[r.IntN(6)]
	bban := digits(r, ibanLengths[country]-4)
	if country == "GB" || country == "NL" {
		bban = "ABCD" + bban[4:]
	}
	for check := 2; check <= 98; check++ {
		if v := fmt.Sprintf("%s%02d%s", country, check, bban); ibanMod97(v) {
			return v
		}
	}
	panic("no IBAN check digits")
}

// breakIBAN changes one BBAN digit, which the mod-97 check always catches.
func breakIBAN(v string) string {
	i := len(v) - 1
	return v[:i] + string(rune((v[i]-'0'+1)%10+'0'))
}

func genSSN(r *rand.Rand) string {
	area := 1 + r.IntN(898)
	if area == 666 {
		area = 667
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+r.IntN(99), 1+r.IntN(9999))
}

func genInvalidSSN(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("000-%02d-%04d", 1+r.IntN(99), 1+r.IntN(9999))
	case 1:
		return fmt.Sprintf("666-%02d-%04d", 1+r.IntN(99), 1+r.IntN(9999))
	case 2:
		return fmt.Sprintf("%03d-%02d-%04d", 900+r.IntN(100), 1+r.IntN(99), 1+r.IntN(9999))
	}
	return fmt.Sprintf("%03d-00-%04d", 1+r.IntN(665), 1+r.IntN(9999))
}

func genIPv6(r *rand.Rand) string {
	var b [16]byte
	b[0], b[1] = 0x20, 0x01
	for i := 2; i < 16; i++ {
		if r.IntN(3) > 0 { // zero runs exercise the :: form
			b[i] = byte(r.IntN(256))
		}
	}
	return netip.AddrFrom16(b).String()
}

func genDOB(r *rand.Rand) string {
	return randomDay(r, 1930, 80).Format([]string{"2006-01-02", "01/02/2006", "02.01.2006", "2006-01-02 00:00:00+00"}[r.IntN(4)])
}
