// @ts-check
// A date field in the app's language, whatever the OS locale: a text input
// showing jj/mm/aaaa (dd/mm/yyyy in English), checked as the user leaves it,
// its value exchanged with the core as ISO 'YYYY-MM-DD'. (An <input
// type="date"> follows the OS locale: 12/07/2026 for 7 December in a French
// window on an American system.)

import { h } from './dom.js';
import { t } from './i18n.js';
import { datePattern, isoToTyped, typedToIso } from './format.js';

/**
 * @typedef {object} DateField
 * @property {HTMLDivElement} node The labelled field, with its format hint and its error line.
 * @property {HTMLInputElement} input
 * @property {() => string | null} iso The value as 'YYYY-MM-DD'; null when empty or not a date.
 * @property {(iso: string | null) => void} set Shows an ISO date (or clears the field).
 * @property {() => boolean} check Says what is wrong under the field; true when the value is a date.
 */

/**
 * @param {object} options
 * @param {string} options.id
 * @param {string} options.label
 * @param {string} options.lang
 * @param {string | null} [options.value] ISO date shown at first.
 * @param {string} [options.className]
 * @returns {DateField}
 */
export function dateField({ id, label, lang, value = null, className = '' }) {
  const pattern = datePattern(lang);
  const input = h('input', {
    type: 'text', id, class: `date-input ${className}`.trim(), inputmode: 'numeric', autocomplete: 'off',
    spellcheck: 'false', size: 10, maxlength: 10, placeholder: pattern,
    'aria-describedby': `${id}-format ${id}-error`, 'data-date-field': '',
  });
  input.value = isoToTyped(value);
  const error = h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' });
  const node = h('div', { class: 'field field-date', 'data-field': id },
    h('label', { for: id, text: label }), input,
    h('p', { id: `${id}-format`, class: 'field-hint muted', text: t('date.format', { pattern }) }), error);

  const iso = () => typedToIso(input.value);
  const check = () => {
    const text = input.value.trim();
    const ok = text !== '' && iso() !== null;
    if (ok) error.textContent = '';
    else if (text === '') error.textContent = t('date.required', { pattern });
    else error.textContent = t('date.invalid', { pattern, example: '07/12/2026' });
    input.setAttribute('aria-invalid', String(!ok));
    return ok;
  };
  input.addEventListener('change', () => {
    if (input.value.trim() !== '') check();
  });
  input.addEventListener('blur', () => {
    const value = iso();
    // Normalise what was typed (7/12/2026 -> 07/12/2026).
    if (value) input.value = isoToTyped(value);
  });
  input.addEventListener('input', () => {
    if (input.getAttribute('aria-invalid') === 'true' && iso()) {
      error.textContent = '';
      input.setAttribute('aria-invalid', 'false');
    }
  });
  return {
    node, input, iso, check,
    set: (value) => {
      input.value = isoToTyped(value);
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    },
  };
}
