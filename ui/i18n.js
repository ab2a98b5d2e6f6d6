// @ts-check
// Every user-visible string lives in locales/fr.json (the default) and
// locales/en.json, loaded as JSON modules (served by Tauri's asset protocol,
// no bundler). t(key, params) fills {name} placeholders; tc(key, count) picks
// `.one` / `.other`. A Rust test (src-tauri/tests/i18n.rs) keeps both files
// with the same keys, a sentence for every error code, and every key used
// by ui/ present.

import fr from './locales/fr.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };

/** @typedef {'fr' | 'en'} Lang */

/** @type {Record<Lang, Record<string, string>>} */
const STRINGS = { fr, en };
/** @type {Lang[]} */
const SUPPORTED = ['fr', 'en'];
const STORAGE_KEY = 'lang';

/** @returns {Lang} */
function readStoredLang() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === 'en' ? 'en' : 'fr';
  } catch {
    return 'fr';
  }
}

/** @type {Lang} */
let current = readStoredLang();

/** @returns {Lang} */
export function getLang() {
  return current;
}

/** @param {string} lang */
export function setLang(lang) {
  current = SUPPORTED.includes(/** @type {Lang} */ (lang)) ? /** @type {Lang} */ (lang) : 'fr';
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Storage unavailable: the choice only lasts for this window.
  }
  document.documentElement.lang = current;
}

/** @param {string} key */
export function has(key) {
  return key in STRINGS[current] || key in STRINGS.fr;
}

/**
 * @param {string} key
 * @param {Record<string, string | number | null | undefined>} [params]
 */
export function t(key, params) {
  const text = STRINGS[current][key] ?? STRINGS.fr[key];
  if (text === undefined) return key;
  if (!params) return text;
  // Single pass: placeholders inside substituted values are never expanded.
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    Object.prototype.hasOwnProperty.call(params, name) && params[name] != null ? String(params[name]) : match);
}

/**
 * The label of a closed-list value (`prefix.value`), or the value itself
 * when the locale has no label for it.
 * @param {string} prefix
 * @param {string | null | undefined} value
 */
export function label(prefix, value) {
  if (value === null || value === undefined) return t('none');
  const key = `${prefix}.${value}`;
  return has(key) ? t(key) : String(value);
}

/** @param {number} count */
export function formatCount(count) {
  return new Intl.NumberFormat(current === 'fr' ? 'fr-FR' : 'en-GB').format(count);
}

/**
 * French uses the singular for 0 and 1, English only for 1.
 * @param {string} key
 * @param {number} count
 * @param {Record<string, string | number>} [params]
 */
export function tc(key, count, params = {}) {
  const one = current === 'fr' ? count < 2 : count === 1;
  return t(`${key}.${one ? 'one' : 'other'}`, { ...params, count: formatCount(count) });
}

/**
 * Translates static markup: data-i18n (text), data-i18n-placeholder, data-i18n-aria-label.
 * @param {ParentNode} [root]
 */
export function applyStatic(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    node.textContent = t(/** @type {HTMLElement} */ (node).dataset.i18n || '');
  }
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.setAttribute('placeholder', t(/** @type {HTMLElement} */ (node).dataset.i18nPlaceholder || ''));
  }
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) {
    node.setAttribute('aria-label', t(/** @type {HTMLElement} */ (node).dataset.i18nAriaLabel || ''));
  }
}
