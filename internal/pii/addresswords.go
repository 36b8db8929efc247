package pii

import (
	"regexp"
	"strings"
)

// Street types, flats and postal codes by language and country. They are
// the words a post office reads, not names, so a list covers a language.

var (
	// streetAfter are types written after the street's name and
	// capitalised there ("Baker Street", "Jakobs Gata"); a plural "s" is
	// stripped before the look-up.
	streetAfter = wordSet("street st avenue ave road rd lane ln drive dr boulevard blvd way court ct place pl terrace ter",
		"circle cir square sq parkway pkwy highway hwy crescent close alley trail trl row mews grove garden walk hill",
		"height pike loop path crossing plaza center ctr junction jct ridge vista creek brook meadow point port ranch",
		"spring station summit valley village ville harbor haven landing manor mill oval shore turnpike motorway",
		"freeway expressway knoll bridge skyway ferry estate prairie hollow throughway lock flat lake loaf extension",
		"orchard causeway cove dale divide fall ford fork fort glen heath island isle mount mountain neck plain rapid",
		"route shoal stravenue stream track trace trafficway tunnel underpass viaduct bay bend bluff bypass canyon",
		"cape cliff common corner course curve expy gateway inlet mission overpass passage pointe river spur",
		"well light club str gata väg vägen gränd allé torg stig backe οδός")
	// streetBefore are types written before the name, in any case
	// ("rue de la Paix", "Calle Mayor", "ул. Ленина", "شارع").
	streetBefore = wordSet(
		"rue avenue av bd boulevard chemin allée allee impasse quai cours route place voie passage parvis sentier",
		"calle avenida avda carrera carrer paseo camino vía via ronda travesía pasaje glorieta rambla rincón poblado",
		"colegio solar aldea bloque caserío caserio grupo escalinata bajada callejón cuesta urbanización barrio senda",
		"viale piazza corso largo vicolo contrada incrocio rotonda strada borgo piazzale lungomare località traversa",
		"rua travessa alameda praça praca estrada marginal rodovia viela ladeira",
		"ulica ul aleja al pl rynek os osiedle wyb wybrzeże wyspa plac rondo skwer szosa bulwar",
		"улица ул проспект пр-т переулок пер шоссе площадь пл набережная наб аллея бульвар б-р тупик проезд",
		"вулиця вул майдан площа провулок пров узвіз шосе набережна",
		"οδος λεωφόρος λεωφορος λεωφ πλατεία πλατεια",
		"شارع سبيل جادة ساحة درب طريق رصيف زقاق ممر",
		"רחוב שדרות סמטת דרך כיכר משעול")
	// streetFused are types grown onto a capitalised name ("Hauptstraße").
	streetFused = strings.Fields("straße strasse str weg allee platz gasse ring damm ufer hof garten wiesen feld markt pfad " +
		"steig chaussee straat laan gracht plein kade singel plantsoen dijk steeg dreef park gatan vägen gränden gränd " +
		"allén stigen backen torget gärdet leden gade vej veien katu utca út")
	// unitWords mark a flat, floor or entrance, in any case.
	unitWords = wordSet("кв m. lgh hus hoog étage etage piso puerta esc escalera appartamento interno scala lote sobrado",
		"apto bloco zimmer wohnung whg חדר דירה بيت عمارة شقة 아파트 号室")
	// unitWordsCased mark a flat when capitalised ("Apt. 4", not "a flat 4").
	unitWordsCased = wordSet("apt suite ste unit flat floor piano")
	// streetParticles are the small words inside street names.
	streetParticles = wordSet("de la del della di du des le les los las van von der den ter da do dos das y e al el bin ibn")
	// cjkStreet: a numbered block, house or lane in Chinese, Japanese or
	// Korean ("88号", "1丁目", "테헤란로 152").
	cjkStreet = regexp.MustCompile(`[0-9０-９一二三四五六七八九十]+\s*(号|號|番地|番|丁目|巷|弄|번지|번길)|(路|街|大道|通り|로|길)\s*[0-9０-９]+`)
)

// postalCodes are postal code formats by country, each anchored to what
// stands beside it in an address so that bare numbers do not match.
var postalCodes = []*regexp.Regexp{
	regexp.MustCompile(`\b[A-Z]{2},? [0-9]{5}(-[0-9]{4})?\b`), // US: state and ZIP
	usStateZIP, // US: state name and ZIP
	regexp.MustCompile(`\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}\b`), // UK
	regexp.MustCompile(`\b[A-Z][0-9][A-Z] [0-9][A-Z][0-9]\b`),                   // Canada
	regexp.MustCompile(`\b[1-9][0-9]{3} ?[A-Z]{2}\b`),                           // Netherlands
	regexp.MustCompile(`〒\s?[0-9]{3}-[0-9]{4}`),                                 // Japan
	regexp.MustCompile(`\b[0-9]{5}-[0-9]{3}\b`),                                 // Brazil
	// Most of the world: after a comma, a code of 4 to 7 digits, or
	// grouped as in India (110 001), Poland (00-950), Japan (100-0001) or
	// Brazil, then a place name in capitals or a caseless script.
	regexp.MustCompile(`, ?` + anyCode + ` (\p{Lu}|\p{Lo})`),
	// East Asia writes the code first, then the province.
	regexp.MustCompile(`^` + anyCode + ` \p{Lo}`),
}

// anyCode is a postal code of most countries, without its surroundings.
const anyCode = `([0-9]{4,7}|[0-9]{3} [0-9]{3}|[0-9]{2}-[0-9]{3}|[0-9]{3}-[0-9]{3,4}|[0-9]{5}-[0-9]{3,4})`

// bareCode is a postal code alone: only a column's name makes it one.
var bareCode = regexp.MustCompile(`^([0-9]{4,7}|[0-9]{3}[ -][0-9]{3,4}|[0-9]{2}-[0-9]{3}|[0-9]{5}-[0-9]{3,4}|[A-Z0-9]{2,4} [0-9][A-Z]{2}|[0-9]{4} ?[A-Z]{2})$`)

// postalCode reports whether a value holds a postal code in one of
// postalCodes' formats, or is a bare code.
func postalCode(value string) bool {
	v := strings.TrimSpace(value)
	if bareCode.MatchString(v) {
		return true
	}
	for _, re := range postalCodes {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// usStateZIP is a US state's name and a ZIP code, as in "Ohio 43004".
var usStateZIP = regexp.MustCompile(`(Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|` +
	`Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|` +
	`Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|` +
	`Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|` +
	`District of Columbia),? [0-9]{5}(-[0-9]{4})?\b`)
