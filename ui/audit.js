// @ts-check
// The DPO's audit tab (POL-21): the server's anomaly alerts, the chain's
// verification and the trail, newest first, by pages of 100.

import { auditTrail, verifyAuditChain, auditAlerts, acknowledgeAlert } from './commands.js';
import { t, tc, label, formatCount } from './i18n.js';
import { h, $, focus, headerRow, messageRow } from './dom.js';
import { formatDateTime } from './format.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').AuditEntryDto} AuditEntryDto */
/** @typedef {import('./bindings').AlertRow} AlertRow */
/** @typedef {import('./bindings').Verification & { failed?: boolean }} Chain */

const AUDIT_PAGE = 100;

export function freshAudit() {
  return {
    entries: /** @type {AuditEntryDto[] | null} */ (null), total: 0, offset: 0, loading: false, failed: false,
    req: 0, chain: /** @type {Chain | null} */ (null), verifying: false,
    alerts: /** @type {AlertRow[] | null} */ (null), alertsFailed: false,
  };
}

/** @param {Ctx} ctx */
export function buildAuditPanel(ctx) {
  const audit = ctx.data.audit;
  const status = h('div', { id: 'audit-status', class: 'audit-status', role: 'status' });
  const verify = h('button', {
    type: 'button', id: 'verify-chain', class: 'btn', text: t('audit.verify'), onClick: () => verifyChain(ctx),
    disabled: audit.verifying,
  });
  const table = h('table', { id: 'audit', class: 'data', 'aria-label': t('audit.label') },
    headerRow(['col.seq', 'col.at', 'col.actor', 'col.device', 'col.action', 'col.participant', 'col.outcome']
      .map((key) => t(key))),
    h('tbody'));
  const pager = h('nav', { class: 'pager', 'aria-label': t('audit.pager') },
    h('button', { type: 'button', id: 'audit-prev', class: 'btn', text: t('audit.prev'),
      onClick: () => loadAudit(ctx, Math.max(0, audit.offset - AUDIT_PAGE)) }),
    h('span', { id: 'audit-range', tabindex: '-1' }),
    h('button', { type: 'button', id: 'audit-next', class: 'btn', text: t('audit.next'),
      onClick: () => loadAudit(ctx, audit.offset + AUDIT_PAGE) }));
  const alertsBody = h('div', { class: 'alerts-body' });
  const alerts = h('section', { id: 'audit-alerts', class: 'alerts', 'aria-labelledby': 'audit-alerts-title' },
    h('h3', { id: 'audit-alerts-title', text: t('alerts.title') }), alertsBody);
  const panel = h('div', { class: 'panel stack' },
    alerts,
    h('div', { class: 'toolbar' }, status, verify),
    h('div', { class: 'table-wrap' }, table),
    pager);
  fillChainStatus(ctx, status);
  fillAlerts(ctx, alertsBody);
  if (audit.alerts === null && !audit.alertsFailed) loadAlerts(ctx);
  fillAuditTable(ctx, table.tBodies[0]);
  fillPager(ctx, pager);
  if (audit.chain === null && audit.entries === null && !audit.verifying && !audit.loading && !audit.failed) {
    verifyChain(ctx).then(() => {
      if (audit === ctx.data.audit) loadAudit(ctx, 0);
    });
  }
  return panel;
}

/**
 * Anomaly alerts the server raised on the staff's trails (POL-21), pulled
 * with the sync. Ids, counts and dates only.
 * @param {Ctx} ctx
 * @param {HTMLElement} body
 */
function fillAlerts(ctx, body) {
  const audit = ctx.data.audit;
  const alerts = audit.alerts;
  const l = ctx.lang();
  if (alerts === null) {
    body.replaceChildren(h('p', { class: 'muted', text: audit.alertsFailed ? t('loadFailed') : t('loading') }));
    return;
  }
  if (alerts.length === 0) {
    body.replaceChildren(h('p', { id: 'alerts-none', class: 'muted', text: t('alerts.none') }));
    return;
  }
  const table = h('table', { id: 'alerts', class: 'data', 'aria-labelledby': 'audit-alerts-title' },
    headerRow(['alerts.kind', 'col.actor', 'col.device', 'alerts.period', 'alerts.entries', 'alerts.raised', 'alerts.followUp']
      .map((key) => t(key))),
    h('tbody', {}, ...alerts.map((/** @type {AlertRow} */ alert) => h('tr', { 'data-alert': alert.id, 'data-kind': alert.kind },
      h('td', {}, h('span', { class: 'outcome outcome-denied', text: label('alerts.kinds', alert.kind) })),
      h('td', { text: alert.staff_name || alert.staff_id }),
      h('td', {}, h('code', { text: alert.device_id })),
      h('td', { class: 'nowrap', text: `${formatDateTime(alert.first_at, l)} – ${formatDateTime(alert.last_at, l)}` }),
      h('td', { class: 'num', text: formatCount(alert.entries) }),
      h('td', { class: 'nowrap', text: formatDateTime(alert.raised_at, l) }),
      h('td', { class: 'actions' }, alert.acknowledged
        ? h('span', { class: 'muted alert-handled', text: t('alerts.handled') })
        : h('button', {
          type: 'button', class: 'btn btn-small acknowledge-alert', text: t('alerts.acknowledge'),
          onClick: () => acknowledge(ctx, alert.id),
        }))))));
  body.replaceChildren(h('div', { class: 'table-wrap' }, table));
}

/**
 * POL-21: the DPO marks an alert as handled; the core checks the role and
 * syncs the mark to the server and the DPO's other laptops.
 * @param {Ctx} ctx
 * @param {string} alertId
 */
async function acknowledge(ctx, alertId) {
  try {
    await acknowledgeAlert(alertId);
  } catch (err) {
    ctx.showError(err);
  }
  await loadAlerts(ctx);
}

/** @param {Ctx} ctx */
async function loadAlerts(ctx) {
  const audit = ctx.data.audit;
  try {
    const rows = await auditAlerts();
    if (audit !== ctx.data.audit) return;
    audit.alerts = rows;
    audit.alertsFailed = false;
  } catch (err) {
    if (audit !== ctx.data.audit) return;
    audit.alertsFailed = true;
    ctx.showError(err);
  }
  const body = document.querySelector('#audit-alerts .alerts-body');
  if (body) fillAlerts(ctx, /** @type {HTMLElement} */ (body));
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} box
 */
function fillChainStatus(ctx, box) {
  const audit = ctx.data.audit;
  /** @type {Chain | null} */
  const chain = audit.chain;
  box.classList.remove('ok', 'broken', 'pending');
  if (audit.verifying || chain === null) {
    box.classList.add('pending');
    box.textContent = t('audit.verifying');
  } else if (chain.failed) {
    box.classList.add('pending');
    box.textContent = t('audit.verifyFailed');
  } else if (chain.ok) {
    box.classList.add('ok');
    box.textContent = tc('audit.ok', Number(chain.checked) || 0);
  } else {
    box.classList.add('broken');
    // The core's reason is a technical note (which link of the chain failed).
    const reason = chain.reason || t('audit.noReason');
    box.textContent = chain.first_broken != null
      ? t('audit.broken', { seq: chain.first_broken, reason })
      : t('audit.brokenNoSeq', { reason });
  }
}

/**
 * @param {Ctx} ctx
 * @param {HTMLTableSectionElement} tbody
 */
function fillAuditTable(ctx, tbody) {
  const audit = ctx.data.audit;
  if (audit.entries === null) {
    tbody.replaceChildren(audit.failed
      ? messageRow(7, t('loadFailed'), () => { audit.failed = false; loadAudit(ctx, audit.offset); })
      : messageRow(7, t('loading')));
    return;
  }
  if (audit.entries.length === 0) {
    tbody.replaceChildren(messageRow(7, t('audit.empty')));
    return;
  }
  /** @type {Chain | null} */
  const chain = audit.chain;
  const brokenSeq = chain && !chain.failed && !chain.ok ? chain.first_broken : null;
  const l = ctx.lang();
  tbody.replaceChildren(...audit.entries.map((/** @type {AuditEntryDto} */ entry) => h('tr', {
    'data-seq': entry.seq, class: brokenSeq != null && entry.seq === brokenSeq ? 'broken-row' : null,
  },
  h('td', { class: 'num', text: entry.seq }),
  h('td', { class: 'nowrap', text: formatDateTime(entry.at, l) }),
  h('td', { text: entry.actor }),
  h('td', { text: entry.device || t('none') }),
  h('td', {}, h('code', { text: entry.action })),
  h('td', {}, entry.participant_id != null ? h('code', { text: entry.participant_id }) : t('none')),
  h('td', {}, h('span', {
    class: `outcome outcome-${entry.outcome === 'allowed' ? 'allowed' : 'denied'}`,
    text: label('outcome', entry.outcome),
  })))));
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} pager
 */
function fillPager(ctx, pager) {
  const audit = ctx.data.audit;
  const count = audit.entries ? audit.entries.length : 0;
  pager.hidden = count === 0 && audit.offset === 0;
  const range = /** @type {HTMLElement} */ (pager.querySelector('#audit-range'));
  const prev = /** @type {HTMLButtonElement} */ (pager.querySelector('#audit-prev'));
  const next = /** @type {HTMLButtonElement} */ (pager.querySelector('#audit-next'));
  range.textContent = count
    ? t('audit.range', {
      from: formatCount(audit.offset + 1), to: formatCount(audit.offset + count), total: formatCount(audit.total),
    })
    : '';
  prev.disabled = audit.loading || audit.offset === 0;
  next.disabled = audit.loading || audit.offset + AUDIT_PAGE >= audit.total;
}

/** @param {Ctx} ctx */
function refreshAudit(ctx) {
  const status = $('audit-status');
  if (!status) return;
  fillChainStatus(ctx, status);
  $('verify-chain').disabled = ctx.data.audit.verifying;
  fillAuditTable(ctx, /** @type {HTMLTableSectionElement} */ (document.querySelector('#audit tbody')));
  fillPager(ctx, /** @type {HTMLElement} */ (document.querySelector('.pager')));
}

/** @param {Ctx} ctx */
async function verifyChain(ctx) {
  const audit = ctx.data.audit;
  audit.verifying = true;
  refreshAudit(ctx);
  try {
    const result = await verifyAuditChain();
    if (audit !== ctx.data.audit) return;
    audit.chain = result;
  } catch (err) {
    if (audit !== ctx.data.audit) return;
    audit.chain = { ok: false, checked: 0, first_broken: null, reason: null, failed: true };
    ctx.showError(err);
  } finally {
    audit.verifying = false;
  }
  refreshAudit(ctx);
}

/**
 * @param {Ctx} ctx
 * @param {number} offset
 */
async function loadAudit(ctx, offset) {
  const audit = ctx.data.audit;
  const req = ++audit.req;
  const hadFocus = /** @type {HTMLButtonElement | null} */ (document.activeElement);
  audit.loading = true;
  refreshAudit(ctx);
  ctx.setStatus(t('loading'));
  try {
    const result = await auditTrail(AUDIT_PAGE, offset);
    if (req !== audit.req || audit !== ctx.data.audit) return;
    // Newest first, whatever order the core used within the page.
    audit.entries = result.entries.slice().sort((a, b) => b.seq - a.seq);
    audit.total = Number(result.total) || 0;
    audit.offset = offset;
    audit.failed = false;
    ctx.clearError();
  } catch (err) {
    if (req !== audit.req || audit !== ctx.data.audit) return;
    audit.failed = audit.entries === null;
    ctx.showError(err);
  } finally {
    if (req === audit.req) audit.loading = false;
  }
  refreshAudit(ctx);
  const range = $('audit-range');
  if (range) {
    ctx.setStatus(range.textContent);
    // A pager button that became disabled loses focus: keep the user in the pager.
    if (hadFocus && hadFocus.disabled) focus(range);
  }
}
