// @ts-check
// The sync status line in the header (issue 5): last sync, pending changes,
// refused changes with the reason in words, errors in plain words, progress
// of long pulls, and a button to synchronise now. Shows what the core says.

import { syncStatus, syncNow, dismissRefusal } from './commands.js';
import { t, getLang, label } from './i18n.js';
import { h, $ } from './dom.js';
import { formatDateTime } from './format.js';
import { asUiError, errorText } from './errors.js';

/** Fired on `window` after a sync round: lists reload their rows (not their forms). */
export const SYNCED_EVENT = 'moniravique:synced';

const REFRESH_MS = 20000;
/** @type {ReturnType<typeof setInterval> | null} */
let timer = null;
let running = false;

export async function refreshSync() {
  const box = $('sync-status');
  if (!box || !running) return;
  let status;
  try {
    status = await syncStatus();
  } catch {
    box.hidden = true;
    return;
  }
  if (!running) return;
  box.hidden = false;
  if (!status.configured) {
    box.replaceChildren(h('span', { class: 'muted', text: t('sync.local') }));
    return;
  }
  const parts = [
    h('span', { id: 'sync-last', text: status.last_sync_at
      ? t('sync.last', { when: formatDateTime(status.last_sync_at, getLang()) }) : t('sync.never') }),
    h('span', { id: 'sync-pending', text: ` · ${t('sync.pending', { n: status.pending })}` }),
  ];
  if (status.last_error) {
    // The last round's error code, in plain words.
    const code = status.last_error;
    const key = code === 'offline' ? 'sync.offline'
      : (code === 'token_expired' || code === 'unauthenticated') ? 'sync.reauth'
        : code === 'server_restored' ? 'sync.restored'
          : 'sync.failed';
    parts.push(h('span', { id: 'sync-error', class: 'sync-error', 'data-code': code, text: ` · ${t(key)}` }));
  }
  const button = h('button', { type: 'button', id: 'sync-now', class: 'btn btn-header', text: t('sync.now') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('sync.running');
    try {
      await syncNow();
      // The views that list what a round may bring reload their rows.
      window.dispatchEvent(new CustomEvent(SYNCED_EVENT));
    } catch (err) {
      if (asUiError(err).code === 'device_revoked') window.alert?.(t('sync.revoked'));
    }
    await refreshSync();
  });
  parts.push(button);
  if (status.refusals.length) {
    const list = h('ul', { id: 'sync-refusals' }, status.refusals.map((refusal) => h('li', {},
      h('span', { text: `${label('sync.kind', refusal.kind)} — ${errorText({ code: refusal.code, details: {} })} ` }),
      h('button', { type: 'button', class: 'btn btn-small', text: t('sync.dismiss'),
        onClick: async () => {
          await dismissRefusal(refusal.op_id).catch(() => {});
          await refreshSync();
        } }))));
    parts.push(h('details', { class: 'sync-refusals' },
      h('summary', { text: t('sync.refused', { n: status.refusals.length }) }),
      h('p', { text: t('sync.refusals') }), list));
  }
  box.replaceChildren(...parts);
}

/** The core's sync events: a round's end and a long pull's progress (counts only). */
export async function listenToSync() {
  const events = /** @type {any} */ (window).__TAURI__?.event;
  if (!events || typeof events.listen !== 'function') return;
  await events.listen('sync-status', (/** @type {{ payload: any }} */ event) => {
    refreshSync();
    if (event.payload && event.payload.changed) window.dispatchEvent(new CustomEvent(SYNCED_EVENT));
  });
  await events.listen('sync-progress', (/** @type {{ payload: any }} */ event) => {
    const line = $('sync-last');
    const p = event.payload || {};
    if (running && line && p.phase === 'pulling') line.textContent = t('sync.progress', { done: p.done, remaining: p.remaining });
  });
}

export function startSyncStatus() {
  running = true;
  refreshSync();
  if (timer) clearInterval(timer);
  timer = setInterval(refreshSync, REFRESH_MS);
}

export function stopSyncStatus() {
  running = false;
  if (timer) clearInterval(timer);
  timer = null;
  const box = $('sync-status');
  if (box) {
    box.hidden = true;
    box.replaceChildren();
  }
}
