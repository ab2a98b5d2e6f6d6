// @ts-check
// An in-page confirmation before irreversible actions. `window.confirm` is
// not available in every webview (wry does not implement it on macOS, where it
// silently answers "no"), and an in-page dialog is testable in the real window.

import { t } from './i18n.js';
import { h } from './dom.js';

/**
 * Asks `message` in a modal dialog; resolves to true (confirmed) or false
 * (cancelled, Escape). "Cancel" has the focus: Enter alone never deletes.
 * @param {string} message
 * @param {{ confirmLabel?: string, danger?: boolean }} [options]
 * @returns {Promise<boolean>}
 */
export function confirmInPage(message, { confirmLabel, danger = true } = {}) {
  return new Promise((resolve) => {
    const old = document.getElementById('confirm-dialog');
    if (old) old.remove();
    const no = h('button', { type: 'button', id: 'confirm-no', class: 'btn', text: t('confirm.no') });
    const yes = h('button', {
      type: 'button', id: 'confirm-yes', class: danger ? 'btn btn-danger' : 'btn btn-primary',
      text: confirmLabel || t('confirm.yes'),
    });
    const dialog = h('dialog', {
      id: 'confirm-dialog', class: 'confirm-dialog', 'aria-labelledby': 'confirm-title',
      'aria-describedby': 'confirm-message',
    },
    h('h2', { id: 'confirm-title', text: t('confirm.title') }),
    h('p', { id: 'confirm-message', text: message }),
    h('div', { class: 'confirm-actions' }, no, yes));
    const opener = /** @type {HTMLElement | null} */ (document.activeElement);
    let settled = false;
    /** @param {boolean} value */
    const done = (value) => {
      if (settled) return;
      settled = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener && typeof opener.focus === 'function' && document.contains(opener)) opener.focus();
      resolve(value);
    };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    no.focus();
  });
}
