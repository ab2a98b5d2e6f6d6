// @ts-check
// The sentence for an error of the core, in the app's language. The core
// sends `{ code, details }` (ui/bindings.d.ts, UiError) and never text for
// people: the sentence is `error.<code>` with its {placeholders} filled from
// the details. Dates come as ISO and are written here in the app's language;
// values of closed lists get their label.

import { t, has, getLang, label } from './i18n.js';
import { formatDate, formatDateTime } from './format.js';

/** @typedef {import('./bindings').UiError} UiError */
/** @typedef {import('./bindings').ErrorCode} ErrorCode */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const STAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** Details whose value is a closed-list value: the prefix of its label. */
const LABELLED = {
  status: 'enrolment',
  purpose: 'consent',
  field: 'field',
  role: 'role',
};

/**
 * Any thrown value as a UiError (a bug in the window becomes `unknown`).
 * @param {unknown} err
 * @returns {UiError}
 */
export function asUiError(err) {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const details = 'details' in err && err.details && typeof err.details === 'object' ? err.details : {};
    return /** @type {UiError} */ ({ code: err.code, details });
  }
  return { code: 'unknown', details: {} };
}

/**
 * An error of the window itself (bad input caught before calling the core).
 * @param {ErrorCode} code
 * @param {Record<string, string>} [details]
 * @returns {UiError}
 */
export function uiError(code, details = {}) {
  return { code, details };
}

/**
 * A detail as shown in a sentence.
 * @param {string} name
 * @param {string} value
 */
function detailText(name, value) {
  const lang = getLang();
  if (DAY.test(value)) return formatDate(value, lang);
  if (STAMP.test(value)) return formatDateTime(value, lang);
  const prefix = /** @type {Record<string, string>} */ (LABELLED)[name];
  return prefix ? label(prefix, value) : value;
}

/**
 * The sentence for `err`. When a detail the sentence needs is missing, the
 * sentence without details (`error.<code>.plain`) is used.
 * @param {unknown} err
 */
export function errorText(err) {
  const { code, details } = asUiError(err);
  const key = `error.${code}`;
  if (!has(key)) return t('error.unknown');
  /** @type {Record<string, string>} */
  const params = {};
  for (const [name, value] of Object.entries(details || {})) {
    if (value != null) params[name] = detailText(name, String(value));
  }
  const text = t(key, params);
  if (/\{\w+\}/.test(text)) return has(`${key}.plain`) ? t(`${key}.plain`) : t('error.unknown');
  return text;
}

/**
 * Runs `work`; on an error says it (ctx.showError) and answers undefined.
 * A command answering null (done, nothing to tell) is told apart from a
 * failure by `=== undefined`.
 * @template T
 * @param {{ showError: (err: unknown) => void, clearError: () => void }} ctx
 * @param {() => Promise<T>} work
 * @returns {Promise<T | undefined>}
 */
export async function attempt(ctx, work) {
  ctx.clearError();
  try {
    return await work();
  } catch (err) {
    ctx.showError(err);
    return undefined;
  }
}
