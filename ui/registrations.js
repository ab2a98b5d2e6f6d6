// @ts-check
// The office's registrations with the payment gate (ROLE-3, POL-10): a place
// is confirmed once paid, or with a written waiver.

import { registrations, listGroups, confirmPlace, cancelEnrolment, moveEnrolment } from './commands.js';
import { t, tc, label } from './i18n.js';
import { h, focus, headerRow, messageRow, fullName } from './dom.js';
import { asUiError } from './errors.js';
import { importFamiliesButton } from './import-families.js'; // Issue 15: spreadsheet import
import { buildNewRegistration } from './new-registration.js';
import { paymentsToggle, fillUnmatched } from './payments.js';
import { SYNCED_EVENT } from './sync.js';

/** The signed-in workspace whose inbox reloads after a sync round. */
let syncedCtx = /** @type {Ctx | null} */ (null);
window.addEventListener(SYNCED_EVENT, () => {
  // Only the rows and the unmatched payments: an open form keeps what is typed.
  if (syncedCtx && document.getElementById('registrations') && !syncedCtx.data.registrations?.loading) {
    loadRegistrations(syncedCtx);
  }
});

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').RegistrationRow} RegistrationRow */
/** @typedef {import('./bindings').GroupRow} GroupRow */

/** @param {Ctx} ctx */
export function buildRegistrationsPanel(ctx) {
  const data = ctx.data;
  if (!data.registrations) data.registrations = { items: null, groups: null, failed: false, loading: false };
  const table = h('table', { id: 'registrations', class: 'data', 'aria-label': t('registrations.label') },
    headerRow([t('col.name'), t('col.programme'), t('col.slots'), t('col.payment'), t('col.status'),
      t('col.decision')]),
    h('tbody'));
  syncedCtx = ctx;
  const intake = buildNewRegistration(ctx, () => loadRegistrations(ctx));
  const panel = h('div', { class: 'panel stack', id: 'registrations-panel' },
    h('div', { class: 'toolbar', id: 'registrations-toolbar' }, intake.open, importFamiliesButton(ctx)),
    intake.section,
    h('section', { id: 'unmatched-payments', class: 'unmatched', hidden: true, 'aria-labelledby': 'unmatched-title' }),
    h('p', { class: 'muted', text: t('registrations.help') }),
    h('div', { class: 'table-wrap' }, table));
  fillRegistrations(ctx, table.tBodies[0]);
  const reg = data.registrations;
  if (reg.items === null && !reg.loading && !reg.failed) loadRegistrations(ctx);
  return panel;
}

/** @param {Ctx} ctx */
async function loadRegistrations(ctx) {
  const reg = ctx.data.registrations;
  reg.loading = true;
  try {
    const [items, groups] = await Promise.all([registrations(null), listGroups()]);
    reg.items = items;
    reg.groups = groups;
    reg.failed = false;
    ctx.setStatus(tc('registrations.count', items.length));
  } catch (err) {
    reg.failed = true;
    ctx.showError(err);
  } finally {
    reg.loading = false;
  }
  const tbody = document.querySelector('#registrations tbody');
  if (tbody) fillRegistrations(ctx, /** @type {HTMLTableSectionElement} */ (tbody));
  if (reg.items) await fillUnmatched(ctx, reg.items, () => loadRegistrations(ctx));
}

/**
 * The available slots, the preferred one starred.
 * @param {{ available_slots: string[], preferred_slot: string | null }} r
 */
export function slotsText(r) {
  return r.available_slots.map((s) => (s === r.preferred_slot ? `${s} ★` : s)).join(', ');
}

/**
 * @param {Ctx} ctx
 * @param {HTMLTableSectionElement} tbody
 */
function fillRegistrations(ctx, tbody) {
  const reg = ctx.data.registrations;
  if (reg.items === null) {
    tbody.replaceChildren(messageRow(6, reg.failed ? t('loadFailed') : t('loading')));
    return;
  }
  if (reg.items.length === 0) {
    tbody.replaceChildren(messageRow(6, t('registrations.empty')));
    return;
  }
  tbody.replaceChildren(...reg.items.flatMap((/** @type {RegistrationRow} */ r) => registrationRow(ctx, r, reg.groups || [])));
}

/**
 * @param {Ctx} ctx
 * @param {RegistrationRow} r
 * @param {GroupRow[]} allGroups
 */
function registrationRow(ctx, r, allGroups) {
  const name = fullName(r);
  const groups = allGroups.filter((g) => g.programme_id === r.programme_id);
  const group = h('select', { class: 'group-select', 'aria-label': t('registrations.groupFor', { name }) },
    groups.map((g) => h('option', {
      value: g.id, text: t('registrations.groupOption', { name: g.name, confirmed: g.confirmed, capacity: g.capacity }),
      selected: g.id === r.group_id || (!r.group_id && g.slot === r.preferred_slot),
    })));
  const waiver = h('input', { type: 'text', class: 'waiver-reason', maxlength: '500',
    placeholder: t('registrations.waiverPlaceholder'), 'aria-label': t('registrations.waiverFor', { name }) });
  const result = h('p', { class: 'result', role: 'status' });
  const confirm = h('button', { type: 'button', class: 'btn btn-small btn-primary confirm-place',
    text: t('registrations.confirm'), 'aria-label': t('registrations.confirmFor', { name }),
    onClick: async () => {
      try {
        const placed = await confirmPlace(r.enrolment_id, group.value, waiver.value.trim() || null);
        ctx.clearError();
        result.textContent = placed.outcome === 'waitlisted'
          ? t('registrations.waitlisted', { position: placed.position })
          : t('registrations.confirmed', { name });
        ctx.setStatus(result.textContent);
        await loadRegistrations(ctx);
      } catch (err) {
        if (asUiError(err).code === 'payment_required') {
          result.textContent = t('registrations.paymentRequired');
          result.className = 'result refused';
          ctx.setStatus(result.textContent);
          focus(waiver);
        } else {
          ctx.showError(err);
        }
      }
    } });
  const move = r.group_id ? h('button', { type: 'button', class: 'btn btn-small move-enrolment',
    text: t('registrations.move'), 'aria-label': t('registrations.moveFor', { name }),
    onClick: async () => {
      try {
        await moveEnrolment(r.enrolment_id, group.value);
        ctx.clearError();
        ctx.setStatus(t('registrations.moved', { name }));
        await loadRegistrations(ctx);
      } catch (err) {
        ctx.showError(err);
      }
    } }) : null;
  const cancel = h('button', { type: 'button', class: 'btn btn-small cancel-enrolment',
    text: t('registrations.cancel'), 'aria-label': t('registrations.cancelFor', { name }),
    onClick: async () => {
      try {
        const offer = await cancelEnrolment(r.enrolment_id);
        ctx.clearError();
        ctx.setStatus(offer ? t('registrations.offered') : t('registrations.cancelled'));
        await loadRegistrations(ctx);
      } catch (err) {
        ctx.showError(err);
      }
    } });
  const payments = paymentsToggle(ctx, r, 6, () => loadRegistrations(ctx));
  return [h('tr', { 'data-id': r.enrolment_id, 'data-payment': r.payment, 'data-status': r.status },
    h('td', {}, h('span', { text: name }), h('br'), h('span', { class: 'muted', text: r.email })),
    h('td', { text: r.programme }),
    h('td', { text: slotsText(r) || t('none') }),
    h('td', {}, h('span', { class: `badge payment-${r.payment}`, text: label('payment', r.payment) })),
    h('td', { text: label('enrolment', r.status) }),
    h('td', { class: 'decision' }, group, waiver, confirm, move, cancel, payments.button, result)), payments.detail];
}
