// Date formatting. The backend sends RFC 3339 UTC timestamps and 'YYYY-MM-DD' dates;
// everything is displayed in Europe/Paris time.

const TIME_ZONE = 'Europe/Paris';
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map();

export function localeFor(lang) {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}

function formatter(lang, options) {
  const key = `${lang}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(localeFor(lang), { timeZone: TIME_ZONE, ...options }));
  }
  return formatters.get(key);
}

function parseTimestamp(value) {
  // Accept a space separator and more than millisecond precision (e.g. chrono nanoseconds).
  const normalized = String(value).trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T')
    .replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** RFC 3339 timestamp -> medium date + short time in Paris. Unparsable input is returned as is. */
export function formatDateTime(value, lang) {
  if (value == null || value === '') return '';
  const date = parseTimestamp(value);
  return date ? formatter(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date) : String(value);
}

/** 'YYYY-MM-DD' -> long date. */
export function formatDate(value, lang) {
  if (value == null || value === '') return '';
  const match = DATE_ONLY.exec(String(value).trim());
  if (!match) return formatDateTime(value, lang);
  // Noon UTC is the same calendar day in Paris whatever the DST offset.
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12));
  return Number.isNaN(date.getTime()) ? String(value) : formatter(lang, { dateStyle: 'long' }).format(date);
}

/** Either kind of value. */
export function formatWhen(value, lang) {
  return DATE_ONLY.test(String(value ?? '').trim()) ? formatDate(value, lang) : formatDateTime(value, lang);
}

export function formatNumber(value, lang) {
  return new Intl.NumberFormat(localeFor(lang)).format(value);
}
