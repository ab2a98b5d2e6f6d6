// @ts-check
// Payments at the office (issue 15; POL-6, POL-10): a registration's
// payments (method, status, dates — never amounts or references once
// recorded, which are the DPO's), a payment received by hand (cheque,
// transfer, cash) and its refund, and the processor's payments that no
// registration was found for, matched by hand. The core records and
// decides; the payment gate opens as for any confirmed payment.

import { registrationPayments, recordPayment, refundPayment, unmatchedPayments, matchPayment } from './commands.js';
import { t, tc, label } from './i18n.js';
import { h, focus, field, headerRow, messageRow, fullName } from './dom.js';
import { formatDate, parisToday } from './format.js';
import { dateField } from './datefield.js';
import { confirmInPage } from './confirm.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').RegistrationRow} RegistrationRow */
/** @typedef {import('./bindings').PaymentRow} PaymentRow */
/** @typedef {import('./bindings').PaymentMethod} PaymentMethod */
/** @typedef {import('./bindings').UnmatchedPayment} UnmatchedPayment */

const MANUAL = /** @type {PaymentMethod[]} */ (['cheque', 'transfer', 'cash']);

/**
 * The "Paiements" button of an inbox row, and the row it opens under it.
 * @param {Ctx} ctx
 * @param {RegistrationRow} r
 * @param {number} columns
 * @param {() => Promise<void>} reload
 */
export function paymentsToggle(ctx, r, columns, reload) {
  const name = fullName(r);
  const cell = h('td', { colspan: String(columns) });
  const detail = h('tr', { class: 'payments-row', hidden: true, 'data-for': r.enrolment_id }, cell);
  const button = h('button', { type: 'button', class: 'btn btn-small payments-open', text: t('payments.open'),
    'aria-expanded': 'false', 'aria-label': t('payments.openFor', { name }),
    onClick: async () => {
      if (!detail.hidden) {
        detail.hidden = true;
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      detail.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      await fillPayments(ctx, r, cell, reload);
    } });
  return { button, detail };
}

/**
 * @param {Ctx} ctx
 * @param {RegistrationRow} r
 * @param {HTMLTableCellElement} cell
 * @param {() => Promise<void>} reload
 */
async function fillPayments(ctx, r, cell, reload) {
  cell.replaceChildren(h('p', { class: 'muted', text: t('loading') }));
  /** @type {PaymentRow[]} */
  let rows;
  try {
    rows = await registrationPayments(r.enrolment_id);
  } catch (err) {
    cell.replaceChildren(h('p', { class: 'muted', text: t('loadFailed') }));
    ctx.showError(err);
    return;
  }
  const lang = ctx.lang();
  const list = h('table', { class: 'data compact payments', 'aria-label': t('payments.listFor', { name: fullName(r) }) },
    headerRow([t('payments.col.method'), t('payments.col.status'), t('payments.col.paid'), t('col.actions')]),
    h('tbody', {}, rows.length === 0
      ? messageRow(4, t('payments.none'))
      : rows.map((p) => h('tr', { 'data-payment': p.payment_id, 'data-status': p.status },
        h('td', { text: label('method', p.method) }),
        h('td', {}, h('span', { class: `badge payment-${p.status}`, text: label('payment', p.status) })),
        h('td', { text: p.refunded_at ? t('payments.refundedOn', { date: formatDate(p.refunded_at, lang) })
          : (p.paid_at ? formatDate(p.paid_at, lang) : t('none')) }),
        h('td', {}, p.manual && p.status === 'confirmed'
          ? h('button', { type: 'button', class: 'btn btn-small refund-payment', text: t('payments.refund'),
            onClick: async () => {
              const ok = await confirmInPage(t('payments.refundConfirm'), { confirmLabel: t('payments.refund') });
              if (!ok) return;
              try {
                await refundPayment(p.payment_id);
                ctx.clearError();
                ctx.setStatus(t('payments.refunded'));
                await reload();
              } catch (err) {
                ctx.showError(err);
              }
            } })
          : (p.method === 'helloasso' && p.status === 'confirmed'
            ? h('span', { class: 'muted', text: t('payments.atProcessor') }) : null))))));
  cell.replaceChildren(list, manualForm(ctx, r, reload));
}

/**
 * @param {Ctx} ctx
 * @param {RegistrationRow} r
 * @param {() => Promise<void>} reload
 */
function manualForm(ctx, r, reload) {
  const id = `pay-${r.enrolment_id}`;
  const method = h('select', { class: 'pay-method' }, MANUAL.map((value) => h('option', { value, text: label('method', value) })));
  const received = dateField({ id: `${id}-date`, label: t('payments.received'), lang: ctx.lang(), value: parisToday(),
    className: 'pay-date' });
  const amount = h('input', { type: 'text', inputmode: 'decimal', class: 'narrow pay-amount', autocomplete: 'off' });
  const reference = h('input', { type: 'text', maxlength: '64', class: 'pay-reference', autocomplete: 'off' });
  const result = h('p', { class: 'result', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small record-payment', text: t('payments.record') });
  const form = h('form', { class: 'pay-form', novalidate: true, 'aria-label': t('payments.recordFor', { name: fullName(r) }) },
    h('div', { class: 'form-row' },
      field(`${id}-method`, t('payments.method'), method),
      received.node,
      field(`${id}-amount`, t('payments.amount'), amount, t('payments.amountHint')),
      field(`${id}-reference`, t('payments.reference'), reference, t('payments.referenceHint')),
      h('div', { class: 'field' }, submit)),
    result);
  amount.addEventListener('input', () => {
    amount.removeAttribute('aria-invalid');
    result.textContent = '';
    result.className = 'result';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cents = euroCents(amount.value);
    if (!received.check()) {
      focus(received.input);
      return;
    }
    if (cents === null) {
      amount.setAttribute('aria-invalid', 'true');
      result.textContent = t('payments.amountInvalid');
      result.className = 'result refused';
      focus(amount);
      return;
    }
    amount.removeAttribute('aria-invalid');
    submit.disabled = true;
    try {
      await recordPayment({
        enrolment_id: r.enrolment_id,
        method: /** @type {PaymentMethod} */ (method.value),
        received_on: /** @type {string} */ (received.iso()),
        amount_cents: cents,
        reference: reference.value.trim(),
      });
      ctx.clearError();
      ctx.setStatus(t('payments.recorded', { name: fullName(r) }));
      await reload();
    } catch (err) {
      ctx.showError(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/**
 * "12", "12,50", "12.5 €" → cents; null when not an amount.
 * @param {string} text
 */
export function euroCents(text) {
  const clean = text.replace(/[\s€]/g, '').replace(',', '.');
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(clean)) return null;
  const cents = Math.round(Number(clean) * 100);
  return cents > 0 ? cents : null;
}

/**
 * The processor's payments waiting for the office, with a registration to
 * match each to (the inbox's).
 * @param {Ctx} ctx
 * @param {RegistrationRow[]} inbox
 * @param {() => Promise<void>} reload
 */
export async function fillUnmatched(ctx, inbox, reload) {
  const section = document.getElementById('unmatched-payments');
  if (!section) return;
  /** @type {UnmatchedPayment[]} */
  let rows;
  try {
    rows = await unmatchedPayments();
  } catch (err) {
    ctx.showError(err);
    return;
  }
  section.hidden = rows.length === 0;
  if (rows.length === 0) {
    section.replaceChildren();
    return;
  }
  const lang = ctx.lang();
  section.replaceChildren(
    h('h2', { id: 'unmatched-title', text: tc('payments.unmatched.title', rows.length) }),
    h('p', { class: 'muted', text: t('payments.unmatched.help') }),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data', id: 'unmatched-list', 'aria-labelledby': 'unmatched-title' },
        headerRow([t('payments.unmatched.payer'), t('payments.col.status'), t('payments.col.paid'), t('payments.unmatched.match')]),
        h('tbody', {}, rows.map((u) => {
          const choice = h('select', { class: 'match-choice', 'aria-label': t('payments.unmatched.matchFor', { name: u.payer_name }) },
            h('option', { value: '', text: t('intake.choose') }),
            inbox.map((r) => h('option', { value: r.enrolment_id, text: `${fullName(r)} — ${r.programme}` })));
          const go = h('button', { type: 'button', class: 'btn btn-small match-payment', text: t('payments.unmatched.matchButton'),
            onClick: async () => {
              if (!choice.value) {
                focus(choice);
                return;
              }
              try {
                await matchPayment(u.unmatched_id, choice.value);
                ctx.clearError();
                ctx.setStatus(t('payments.unmatched.matched'));
                await reload();
              } catch (err) {
                ctx.showError(err);
              }
            } });
          return h('tr', { 'data-id': u.unmatched_id },
            h('td', {}, h('span', { text: u.payer_name }), h('br'), h('span', { class: 'muted', text: u.payer_email })),
            h('td', {}, h('span', { class: `badge payment-${u.status}`, text: label('payment', u.status) })),
            h('td', { text: u.paid_at ? formatDate(u.paid_at, lang) : t('none') }),
            h('td', {}, choice, ' ', go));
        })))));
}
