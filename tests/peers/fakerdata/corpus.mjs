// Prints fake personal data and look-alike decoys in many locales, as JSON,
// for internal/pii's accuracy evaluation. The values come from
// @faker-js/faker (pinned in package-lock.json), a fake-data library
// written apart from dre's detectors, so the evaluation measures the
// detectors against names, streets and phone formats nobody here chose.
//
//   node corpus.mjs --seed 7 --values 120 [--locales de,ja,...]
//
// Output: {"seed":7,"locales":[{"locale":"de","families":{"full_name":[...], ...}}]}
// Each family holds --values strings. Which family is which kind of PII
// (and which are decoys) is decided by the Go side, in
// internal/pii/eval_faker_test.go.
import * as faker from '@faker-js/faker';

// locales maps a locale's short name to its faker instance.
const locales = {
  en: faker.fakerEN_US, en_IN: faker.fakerEN_IN, de: faker.fakerDE, fr: faker.fakerFR, es: faker.fakerES,
  it: faker.fakerIT, pt_BR: faker.fakerPT_BR, nl: faker.fakerNL, sv: faker.fakerSV, pl: faker.fakerPL,
  ru: faker.fakerRU, uk: faker.fakerUK, el: faker.fakerEL, ja: faker.fakerJA, zh_CN: faker.fakerZH_CN,
  ko: faker.fakerKO, ar: faker.fakerAR, he: faker.fakerHE,
};

// postalFirst are the locales that write an address from the postal code
// down to the house (Japan, China, Korea).
const postalFirst = new Set(['ja', 'zh_CN', 'ko']);

// fullAddress joins faker's parts in the order the locale's post uses.
function fullAddress(f, locale) {
  const street = f.location.streetAddress(f.datatype.boolean());
  if (postalFirst.has(locale)) {
    return `${f.location.zipCode()} ${f.location.state()} ${f.location.city()} ${street}`;
  }
  if (locale === 'en') {
    return `${street}, ${f.location.city()}, ${f.location.state({ abbreviated: true })} ${f.location.zipCode()}`;
  }
  return `${street}, ${f.location.zipCode()} ${f.location.city()}`;
}

// sentence is filler prose in the locale (faker's lorem is Latin for some).
function sentence(f) {
  return f.helpers.arrayElement([() => f.lorem.sentence(), () => f.commerce.productDescription(), () => f.hacker.phrase()])();
}

// note is a free-text row: about two rows in five carry the value, in one
// of several positions, the others are filler alone.
function note(f, value) {
  if (f.number.float() >= 0.4) {
    return sentence(f);
  }
  return f.helpers.arrayElement([
    () => `${sentence(f)} ${value}.`,
    () => `${value}: ${sentence(f)}`,
    () => `${sentence(f)} (${value}) ${sentence(f)}`,
    () => `${sentence(f)} — ${value}`,
  ])();
}

// logLine is a request log line built from faker's parts: busy, no PII.
function logLine(f) {
  return `${f.date.recent().toISOString()} level=${f.helpers.arrayElement(['info', 'warn', 'error'])} ` +
    `method=${f.internet.httpMethod()} path=/api/v${f.number.int({ min: 1, max: 3 })}/${f.word.noun()}/${f.string.uuid()} ` +
    `status=${f.internet.httpStatusCode()} duration=${f.number.int(5000)}ms msg="${f.hacker.phrase()}"`;
}

// families are the generators of one value each, by family name.
const families = {
  // personal data
  full_name: (f) => f.person.fullName(),
  first_name: (f) => f.person.firstName(),
  last_name: (f) => f.person.lastName(),
  street_address: (f) => f.location.streetAddress(f.datatype.boolean()),
  full_address: (f, l) => fullAddress(f, l),
  postal_code: (f) => f.location.zipCode(),
  phone: (f) => f.phone.number({ style: f.helpers.arrayElement(['human', 'national', 'international']) }),
  email: (f) => f.internet.email(),
  note_name: (f) => note(f, f.person.fullName()),
  note_address: (f, l) => note(f, fullAddress(f, l)),
  note_phone: (f) => note(f, f.phone.number({ style: f.helpers.arrayElement(['human', 'international']) })),
  note_email: (f) => note(f, f.internet.email()),
  // decoys: not about a person
  company: (f) => f.company.name(),
  city: (f) => f.location.city(),
  country: (f) => f.location.country(),
  street_name: (f) => f.location.street(),
  product_name: (f) => f.commerce.productName(),
  job_title: (f) => f.person.jobTitle(),
  book_title: (f) => f.book.title(),
  review: (f) => sentence(f),
  log_line: (f) => logLine(f),
  uuid: (f) => f.string.uuid(),
  isbn: (f) => f.commerce.isbn(),
  commit_sha: (f) => f.git.commitSha(),
  created_at: (f) => f.date.past({ years: 5 }).toISOString(),
  amount: (f) => f.commerce.price(),
};

// refDate anchors faker's relative dates (recent, past).
const refDate = '2026-06-01T00:00:00Z';

function parseArgs(argv) {
  const args = { seed: 1, values: 100, locales: Object.keys(locales) };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--seed') args.seed = Number(value);
    else if (flag === '--values') args.values = Number(value);
    else if (flag === '--locales') args.locales = value.split(',');
    else throw new Error(`unknown flag ${flag}; use --seed N --values N --locales a,b`);
  }
  for (const l of args.locales) {
    if (!locales[l]) throw new Error(`unknown locale ${l}; known: ${Object.keys(locales).join(',')}`);
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const out = { seed: args.seed, locales: [] };
  args.locales.forEach((locale, i) => {
    const f = locales[locale];
    f.setDefaultRefDate(refDate); // dates do not depend on the day the tests run
    const byFamily = {};
    for (const [name, gen] of Object.entries(families)) {
      // Each family has its own seed, so adding a family leaves the others' values as they were.
      f.seed([args.seed, i, Object.keys(byFamily).length]);
      byFamily[name] = Array.from({ length: args.values }, () => String(gen(f, locale)));
    }
    out.locales.push({ locale, families: byFamily });
  });
  process.stdout.write(JSON.stringify(out));
}

main();
