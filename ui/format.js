// @ts-check
// Dates and numbers in the app's language (never the OS locale). The core
// sends RFC 3339 UTC timestamps and 'YYYY-MM-DD' days; everything is shown in
// Europe/Paris time. Dates typed by people are jj/mm/aaaa (dd/mm/yyyy in
// English) and exchanged with the core as ISO 'YYYY-MM-DD'.

const TIME_ZONE = 'Europe/Paris';
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** @type {Map<string, Intl.DateTimeFormat>} */
const formatters = new Map();

/** @param {string} lang */
export function localeFor(lang) {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}

/**
 * @param {string} lang
 * @param {Intl.DateTimeFormatOptions} options
 */
function formatter(lang, options) {
  const key = `${lang}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(localeFor(lang), { timeZone: TIME_ZONE, ...options });
    formatters.set(key, found);
  }
  return found;
}

/** @param {unknown} value */
function parseTimestamp(value) {
  // Accept a space separator and more than millisecond precision (e.g. chrono nanoseconds).
  const normalized = String(value).trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T')
    .replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * RFC 3339 timestamp -> medium date + short time in Paris. Unparsable input is returned as is.
 * @param {string | null | undefined} value
 * @param {string} lang
 */
export function formatDateTime(value, lang) {
  if (value == null || value === '') return '';
  const date = parseTimestamp(value);
  return date ? formatter(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date) : String(value);
}

/**
 * 'YYYY-MM-DD' -> long date; a timestamp -> its long date in Paris.
 * @param {string | null | undefined} value
 * @param {string} lang
 */
export function formatDate(value, lang) {
  if (value == null || value === '') return '';
  const match = DATE_ONLY.exec(String(value).trim());
  if (!match) {
    const stamp = parseTimestamp(value);
    return stamp ? formatter(lang, { dateStyle: 'long' }).format(stamp) : String(value);
  }
  // Noon UTC is the same calendar day in Paris whatever the DST offset.
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12));
  return Number.isNaN(date.getTime()) ? String(value) : formatter(lang, { dateStyle: 'long' }).format(date);
}

/**
 * Either kind of value: a day as a long date, a timestamp with its time.
 * @param {string | null | undefined} value
 * @param {string} lang
 */
export function formatWhen(value, lang) {
  return DATE_ONLY.test(String(value ?? '').trim()) ? formatDate(value, lang) : formatDateTime(value, lang);
}

/**
 * @param {number} value
 * @param {string} lang
 */
export function formatNumber(value, lang) {
  return new Intl.NumberFormat(localeFor(lang)).format(value);
}

/**
 * @param {number | null | undefined} cents
 * @param {string} lang
 */
export function formatEuros(cents, lang) {
  if (cents == null) return '';
  return new Intl.NumberFormat(localeFor(lang), { style: 'currency', currency: 'EUR' }).format(Number(cents) / 100);
}

// ---------------------------------------------------------------- typed dates

/**
 * What a date field shows as its format: jj/mm/aaaa in French.
 * @param {string} lang
 */
export function datePattern(lang) {
  return lang === 'fr' ? 'jj/mm/aaaa' : 'dd/mm/yyyy';
}

/**
 * 'YYYY-MM-DD' -> '07/12/2026' (both languages write day/month/year).
 * @param {string | null | undefined} iso
 */
export function isoToTyped(iso) {
  const match = DATE_ONLY.exec(String(iso ?? '').trim());
  return match ? `${match[3]}/${match[2]}/${match[1]}` : '';
}

/**
 * A typed date -> 'YYYY-MM-DD', or null when it is not a real date. Day
 * first, separated by '/', '.' or '-' (one or two digits for day and month,
 * four for the year); an ISO date is accepted as well.
 * @param {string} text
 * @returns {string | null}
 */
export function typedToIso(text) {
  const value = String(text ?? '').trim();
  let day;
  let month;
  let year;
  const typed = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  const iso = DATE_ONLY.exec(value);
  if (typed) [, day, month, year] = typed.map(Number);
  else if (iso) [, year, month, day] = iso.map(Number);
  else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * 'HH:MM' (24 hours) -> minutes since midnight, or null.
 * @param {string} text
 */
export function typedToMinutes(text) {
  const match = /^(\d{1,2})[:h](\d{2})$/.exec(String(text ?? '').trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/**
 * The parts of `date` on the Paris wall clock.
 * @param {Date} date
 */
function parisParts(date) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  /** @param {string} type */
  const get = (type) => Number((parts.find((p) => p.type === type) || { value: '0' }).value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/**
 * Today in Paris as 'YYYY-MM-DD', plus `days`.
 * @param {number} [days]
 */
export function parisToday(days = 0) {
  const { year, month, day } = parisParts(new Date());
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * A Paris wall-clock time ('YYYY-MM-DD', minutes since midnight) as a UTC Date.
 * @param {string} isoDay
 * @param {number} minutes
 */
export function parisToUtc(isoDay, minutes) {
  const [year, month, day] = isoDay.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  // The Paris offset at that moment (1 or 2 hours); two passes settle DST changes.
  let guess = wall;
  for (let i = 0; i < 2; i += 1) {
    const p = parisParts(new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wall - shown;
  }
  return new Date(guess);
}
