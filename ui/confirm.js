// An in-page confirmation before irreversible actions. `window.confirm` is
// not available in every webview (wry does not implement it on macOS, where it
// silently answers "no"), and an in-page dialog is testable in the real window.

import { t, extend } from './i18n.js';

extend({
  fr: { 'confirm.yes': 'Confirmer', 'confirm.no': 'Annuler', 'confirm.title': 'Confirmation' },
  en: { 'confirm.yes': 'Confirm', 'confirm.no': 'Cancel', 'confirm.title': 'Confirmation' },
});

/**
 * Asks `message` in a modal dialog; resolves to true (confirmed) or false
 * (cancelled, Escape). "Cancel" has the focus: Enter alone never deletes.
 */
export function confirmInPage(message, { confirmLabel, danger = true } = {}) {
  return new Promise((resolve) => {
    const old = document.getElementById('confirm-dialog');
    if (old) old.remove();
    const dialog = document.createElement('dialog');
    dialog.id = 'confirm-dialog';
    dialog.className = 'confirm-dialog';
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    dialog.setAttribute('aria-describedby', 'confirm-message');
    const title = document.createElement('h2');
    title.id = 'confirm-title';
    title.textContent = t('confirm.title');
    const text = document.createElement('p');
    text.id = 'confirm-message';
    text.textContent = message;
    const no = document.createElement('button');
    no.type = 'button';
    no.id = 'confirm-no';
    no.className = 'btn';
    no.textContent = t('confirm.no');
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.id = 'confirm-yes';
    yes.className = danger ? 'btn btn-danger' : 'btn btn-primary';
    yes.textContent = confirmLabel || t('confirm.yes');
    const actions = document.createElement('div');
    actions.className = 'confirm-actions';
    actions.append(no, yes);
    const opener = document.activeElement;
    let settled = false;
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
    dialog.append(title, text, actions);
    document.body.append(dialog);
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    no.focus();
  });
}
