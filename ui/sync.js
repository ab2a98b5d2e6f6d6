// The sync status line in the header (issue 5): last sync, pending changes,
// refused changes with the server's reason, errors in plain words, progress
// of long pulls, and a button to synchronise now. Shows what the core says.
import * as api from './api.js';
import { t, extend, getLang } from './i18n.js';
import { formatDateTime } from './format.js';

extend({
  fr: {
    'sync.never': 'Jamais synchronisé',
    'sync.last': 'Synchronisé le {when}',
    'sync.pending': '{n} modification(s) en attente',
    'sync.refused': '{n} refusée(s)',
    'sync.offline': 'Hors ligne : vos modifications sont gardées et partiront à la prochaine connexion',
    'sync.reauth': "L'accès de ce poste au serveur a expiré : déconnectez-vous puis reconnectez-vous pour le renouveler (vos modifications sont gardées)",
    'sync.failed': 'La dernière synchronisation a échoué : vos modifications sont gardées, elle sera retentée',
    'sync.now': 'Synchroniser',
    'sync.running': 'Synchronisation…',
    'sync.progress': 'Synchronisation : {done} fiche(s) reçue(s), {remaining} restante(s)',
    'sync.local': 'Poste autonome (aucun serveur configuré)',
    'sync.refusals': 'Modifications refusées par le serveur',
    'sync.dismiss': 'Compris',
    'sync.revoked': 'Ce poste a été révoqué : ses données locales ont été effacées.',
  },
  en: {
    'sync.never': 'Never synchronised',
    'sync.last': 'Synchronised on {when}',
    'sync.pending': '{n} change(s) pending',
    'sync.refused': '{n} refused',
    'sync.offline': 'Offline: your changes are kept and will be sent at the next connection',
    'sync.reauth': "This laptop's access to the server has expired: sign out and sign in again to renew it (your changes are kept)",
    'sync.failed': 'The last sync failed: your changes are kept and it will be retried',
    'sync.now': 'Synchronise',
    'sync.running': 'Synchronising…',
    'sync.progress': 'Synchronising: {done} record(s) received, {remaining} to go',
    'sync.local': 'Stand-alone laptop (no server configured)',
    'sync.refusals': 'Changes refused by the server',
    'sync.dismiss': 'Got it',
    'sync.revoked': 'This laptop was revoked: its local data was wiped.',
  },
});

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else if (name === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

let timer = null;

export async function refreshSync() {
  const box = document.getElementById('sync-status');
  if (!box) return;
  let status;
  try {
    status = await api.syncStatus();
  } catch (err) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (!status.configured) {
    box.replaceChildren(el('span', { class: 'muted', text: t('sync.local') }));
    return;
  }
  const parts = [
    el('span', { id: 'sync-last', text: status.last_sync_at
      ? t('sync.last', { when: formatDateTime(status.last_sync_at, getLang()) }) : t('sync.never') }),
    el('span', { id: 'sync-pending', text: ' · ' + t('sync.pending', { n: status.pending }) }),
  ];
  if (status.last_error) {
    // The last round's error code, in plain words.
    const code = status.last_error;
    const key = code === 'offline' ? 'sync.offline'
      : (code === 'token_expired' || code === 'unauthenticated') ? 'sync.reauth'
        : 'sync.failed';
    parts.push(el('span', { id: 'sync-error', class: 'sync-error', 'data-code': code, text: ' · ' + t(key) }));
  }
  const button = el('button', { type: 'button', id: 'sync-now', class: 'btn btn-header', text: t('sync.now') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('sync.running');
    try {
      await api.syncNow();
    } catch (err) {
      if (err.code === 'device_revoked') window.alert?.(t('sync.revoked'));
    }
    await refreshSync();
  });
  parts.push(button);
  if (status.refusals.length) {
    const list = el('ul', { id: 'sync-refusals' });
    for (const refusal of status.refusals) {
      const dismiss = el('button', { type: 'button', class: 'btn btn-small', text: t('sync.dismiss') });
      dismiss.addEventListener('click', async () => {
        await api.dismissRefusal(refusal.op_id);
        await refreshSync();
      });
      list.append(el('li', {}, el('span', { text: `${refusal.kind} — ${refusal.message} ` }), dismiss));
    }
    parts.push(el('details', { class: 'sync-refusals' },
      el('summary', { text: t('sync.refused', { n: status.refusals.length }) }),
      el('p', { text: t('sync.refusals') }), list));
  }
  box.replaceChildren(...parts);
}

export function startSyncStatus() {
  refreshSync();
  if (timer) clearInterval(timer);
  timer = setInterval(refreshSync, 20000);
  const events = window.__TAURI__ && window.__TAURI__.event;
  if (events && typeof events.listen === 'function') {
    events.listen('sync-status', () => refreshSync()).catch(() => {});
    events.listen('sync-progress', (event) => {
      const box = document.getElementById('sync-last');
      const p = event.payload || {};
      if (box && p.phase === 'pulling') box.textContent = t('sync.progress', { done: p.done, remaining: p.remaining });
    }).catch(() => {});
  }
}

export function stopSyncStatus() {
  if (timer) clearInterval(timer);
  timer = null;
  const box = document.getElementById('sync-status');
  if (box) { box.hidden = true; box.replaceChildren(); }
}
