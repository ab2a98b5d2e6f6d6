// @ts-check
// DOM construction for every view. Text always goes in through textContent
// (or text nodes): data from the core is personal data of families and is
// never parsed as HTML: no module of ui/ sets HTML from a string (a test checks).

import { t } from './i18n.js';

/**
 * Attributes of `h`: `class`, `text` (the node's textContent), `on<Event>`
 * (a listener, e.g. `onClick`), the boolean properties `hidden`, `disabled`,
 * `checked`, `selected`, `required`, the property `value`; anything else is
 * set as an attribute (`true` as an empty attribute). `null`, `undefined`
 * and `false` leave the attribute out.
 * @typedef {Record<string, any>} Attrs
 */

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[] | (Child | Child[])[]} Children */

const PROPERTIES = new Set(['hidden', 'disabled', 'checked', 'selected', 'required', 'value']);

/**
 * Creates an element; children are nodes or strings (as text), arrays are
 * flattened, `null`/`undefined`/`false` are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = String(value);
    else if (name === 'text') node.textContent = String(value);
    else if (/^on[A-Z]/.test(name) && typeof value === 'function') {
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(name)) /** @type {any} */ (node)[name] = name === 'value' ? String(value) : Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/**
 * @param {Element} node
 * @param {Children[]} children
 */
function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

/**
 * The element with this id (the views look their own nodes up by id).
 * @param {string} id
 * @returns {any}
 */
export function $(id) {
  return document.getElementById(id);
}

/**
 * @param {HTMLElement | null | undefined} node
 */
export function focus(node) {
  if (node && typeof node.focus === 'function') node.focus();
}

/**
 * A table head with one column header per label.
 * @param {string[]} labels
 */
export function headerRow(labels) {
  return h('thead', {}, h('tr', {}, labels.map((label) => h('th', { scope: 'col', text: label }))));
}

/**
 * A row spanning the table with a message (loading, empty, failed) and an
 * optional retry button.
 * @param {number} columns
 * @param {string} text
 * @param {(() => void) | null} [onRetry]
 */
export function messageRow(columns, text, onRetry) {
  const cell = h('td', { colspan: columns, class: 'empty' }, text);
  if (onRetry) cell.append(' ', h('button', { type: 'button', class: 'btn btn-small', text: t('retry'), onClick: onRetry }));
  return h('tr', { class: 'message-row' }, cell);
}

/**
 * A labelled field: the control gets `id`, an optional hint is tied to it.
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string | null} [hint]
 */
export function field(id, label, control, hint) {
  const hintNode = hint ? h('p', { id: `${id}-hint`, class: 'field-hint muted', text: hint }) : null;
  control.id = id;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field', 'data-field': id }, h('label', { for: id, text: label }), control, hintNode);
}

/**
 * A `<select>` of `values`, labelled by `labelOf`.
 * @param {readonly string[]} values
 * @param {(value: string) => string} labelOf
 * @param {Attrs} [attrs]
 */
export function select(values, labelOf, attrs = {}) {
  return h('select', attrs, values.map((value) => h('option', { value, text: labelOf(value) })));
}

/**
 * A person's name from a row holding `given_name` and `family_name`.
 * @param {{ given_name?: string | null, family_name?: string | null }} person
 */
export function fullName(person) {
  return [person.given_name, person.family_name].filter(Boolean).join(' ');
}

/**
 * A button with an id (the views and the tests find it by id).
 * @param {string} id
 * @param {string} text
 * @param {(event: MouseEvent) => void} onClick
 * @param {string} [className] e.g. 'btn-primary', 'btn-danger'
 */
export function button(id, text, onClick, className = '') {
  return h('button', { type: 'button', id, class: `btn ${className}`.trim(), text, onClick });
}
