// @ts-check
// Pieces shared by the DPO's retention and registers tabs.

import { t, formatCount } from './i18n.js';
import { h, $, headerRow } from './dom.js';

/**
 * A titled section of a DPO tab.
 * @param {string} id
 * @param {string} titleKey
 * @param {...import('./dom.js').Children} content
 */
export function section(id, titleKey, ...content) {
  return h('section', { id, class: 'dpo-section stack', 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, text: t(titleKey) }), ...content);
}

/**
 * An empty table (filled later by id) in its scrolling wrapper.
 * @param {string} id
 * @param {string} labelKey
 * @param {string[]} columns keys of the column headers
 */
export function tableWrap(id, labelKey, columns) {
  const table = h('table', { id, class: 'data', 'aria-label': t(labelKey) },
    headerRow(columns.map((key) => t(key))), h('tbody'));
  return h('div', { class: 'table-wrap' }, table);
}

/**
 * The line under a form: `state` is true (refused), false (done) or 'neutral' (nothing happened).
 * @param {string} id
 * @param {string} text
 * @param {boolean | 'neutral'} state
 */
export function formResult(id, text, state) {
  const box = $(id);
  if (!box) return;
  box.textContent = text || '';
  box.classList.toggle('refused', state === true);
  box.classList.toggle('neutral', state === 'neutral');
}

/** @param {unknown} value */
export function count(value) {
  return formatCount(Number(value) || 0);
}

/**
 * A pseudonymous id, shortened for display; the full id stays in the title.
 * Ids are UUIDv7: the first characters are a timestamp shared by ids made
 * together, so the random end is what tells them apart.
 * @param {string | null | undefined} id
 */
export function pseudonym(id) {
  const text = String(id ?? '');
  const short = text.length > 12 ? `…${text.slice(-8)}` : text;
  return h('code', { class: 'pseudonym', title: text, text: short });
}

/**
 * A checkbox field with its label and an optional hint: [field, input].
 * @param {string} id
 * @param {string} labelKey
 * @param {string} [hintKey]
 * @returns {[HTMLDivElement, HTMLInputElement]}
 */
export function checkField(id, labelKey, hintKey) {
  const input = h('input', { type: 'checkbox', id });
  const hint = hintKey ? h('p', { id: `${id}-hint`, class: 'field-hint muted', text: t(hintKey) }) : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return [h('div', { class: 'field field-check', 'data-field': id },
    h('label', { class: 'inline-check', for: id }, input, ' ', t(labelKey)), hint), input];
}
