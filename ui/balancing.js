// @ts-check
// The office's balancing of pending requests across a programme's groups
// (POL-10), and the queue of messages waiting for the server.

import { listGroups, balancingPropose, balancingEvaluate, balancingApply, outbox } from './commands.js';
import { t, label } from './i18n.js';
import { h, headerRow, messageRow, fullName } from './dom.js';
import { formatDateTime } from './format.js';
import { asUiError, errorText } from './errors.js';
import { slotsText } from './registrations.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').Score} Score */

/** @param {Ctx} ctx */
export function buildBalancingPanel(ctx) {
  const data = ctx.data;
  if (!data.balancing) data.balancing = { groups: null, view: null, programme: null, edits: {} };
  const b = data.balancing;
  const programme = h('select', { id: 'balancing-programme', 'aria-label': t('balancing.programme') });
  const body = h('div', { id: 'balancing-body', class: 'stack' });
  const propose = h('button', { type: 'button', id: 'balancing-propose', class: 'btn btn-primary',
    text: t('balancing.propose'),
    onClick: async () => {
      b.programme = programme.value;
      try {
        b.view = await balancingPropose(b.programme);
        b.edits = { ...b.view.assignments };
        ctx.clearError();
        renderBalancing(ctx, body);
        ctx.setStatus(t('balancing.proposed'));
      } catch (err) {
        ctx.showError(err);
      }
    } });
  const fillProgrammes = () => {
    /** @type {Map<string, string>} */
    const seen = new Map();
    for (const g of b.groups || []) seen.set(g.programme_id, g.programme);
    programme.replaceChildren(...[...seen].map(([id, name]) =>
      h('option', { value: id, text: name, selected: id === b.programme })));
  };
  if (b.groups === null) {
    listGroups().then((groups) => { b.groups = groups; fillProgrammes(); }).catch(ctx.showError);
  } else {
    fillProgrammes();
  }
  if (b.view) renderBalancing(ctx, body);
  return h('div', { class: 'panel stack', id: 'balancing-panel' },
    h('p', { class: 'muted', text: t('balancing.help') }),
    h('div', { class: 'toolbar' }, programme, propose), body);
}

/** @param {Score} score */
function scoreText(score) {
  return t('balancing.score', { unplaced: score.unplaced, gap: score.gap, unmet: score.unmet_preferences,
    age: score.age_penalty });
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} body
 */
function renderBalancing(ctx, body) {
  const b = ctx.data.balancing;
  /** @type {import('./bindings').BalancingView} */
  const view = b.view;
  const groups = h('table', { id: 'balancing-groups', class: 'data', 'aria-label': t('balancing.groups') },
    headerRow([t('col.group'), t('col.slot'), t('col.capacity'), t('col.confirmed'), t('col.proposed')]),
    h('tbody', {}, view.groups.map((g) => h('tr', { 'data-id': g.id },
      h('td', { text: g.name }), h('td', { text: g.slot }), h('td', { class: 'num', text: String(g.capacity) }),
      h('td', { class: 'num', text: String(g.confirmed) }), h('td', { class: 'num proposed', text: String(g.proposed) })))));
  const people = h('table', { id: 'balancing-people', class: 'data', 'aria-label': t('balancing.people') },
    headerRow([t('col.name'), t('col.slots'), t('col.bracket'), t('col.payment'), t('col.group')]),
    h('tbody', {}, view.registrations.map((r) => {
      const assign = h('select', { class: 'assign-select', 'aria-label': t('balancing.assignFor', { name: fullName(r) }) },
        h('option', { value: '', text: t('balancing.unplaced') }),
        view.groups.filter((g) => r.available_slots.includes(g.slot)).map((g) =>
          h('option', { value: g.id, text: `${g.name} (${g.slot})`, selected: b.edits[r.enrolment_id] === g.id })));
      assign.addEventListener('change', () => {
        if (assign.value) b.edits[r.enrolment_id] = assign.value;
        else delete b.edits[r.enrolment_id];
      });
      return h('tr', { 'data-id': r.enrolment_id },
        h('td', { text: fullName(r) }), h('td', { text: slotsText(r) }), h('td', { text: r.bracket || t('none') }),
        h('td', {}, h('span', { class: `badge payment-${r.payment}`, text: label('payment', r.payment) })),
        h('td', {}, assign));
    })));
  const figures = h('p', { id: 'balancing-score', class: 'strong', text: scoreText(view.score) });
  const result = h('p', { id: 'balancing-result', class: 'result', role: 'status' });
  /** @param {unknown} err */
  const refused = (err) => {
    const invalid = asUiError(err).code === 'invalid_proposal';
    result.textContent = invalid ? t('balancing.invalid', { detail: errorText(err) }) : '';
    if (!invalid) ctx.showError(err);
  };
  const recompute = h('button', { type: 'button', id: 'balancing-evaluate', class: 'btn', text: t('balancing.evaluate'),
    onClick: async () => {
      try {
        const edited = await balancingEvaluate(b.programme, b.edits);
        b.view = { ...edited, registrations: view.registrations };
        ctx.clearError();
        renderBalancing(ctx, body);
        ctx.setStatus(scoreText(edited.score));
      } catch (err) {
        refused(err);
      }
    } });
  const apply = h('button', { type: 'button', id: 'balancing-apply', class: 'btn btn-primary', text: t('balancing.apply'),
    onClick: async () => {
      try {
        const applied = await balancingApply(b.programme, b.edits);
        ctx.clearError();
        result.textContent = t('balancing.applied', { confirmed: applied.confirmed, waiting: applied.awaiting_payment });
        ctx.setStatus(result.textContent);
        b.view = null;
        body.replaceChildren(result);
      } catch (err) {
        refused(err);
      }
    } });
  body.replaceChildren(figures, h('div', { class: 'table-wrap' }, groups), h('div', { class: 'table-wrap' }, people),
    h('div', { class: 'toolbar' }, recompute, apply), result);
}

// ---------------------------------------------------------------- outbox

/** @param {Ctx} ctx */
export function buildOutboxPanel(ctx) {
  const table = h('table', { id: 'outbox', class: 'data', 'aria-label': t('outbox.label') },
    headerRow([t('col.when'), t('col.name'), t('col.template'), t('col.subject'), t('col.status')]),
    h('tbody', {}, messageRow(5, t('loading'))));
  outbox().then((rows) => {
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [messageRow(5, t('outbox.empty'))]
      : rows.map((m) => h('tr', { 'data-id': m.id },
        h('td', { class: 'nowrap', text: formatDateTime(m.queued_at, ctx.lang()) }),
        h('td', { text: fullName(m) }), h('td', { text: label('template', m.template) }),
        h('td', { text: m.subject }), h('td', { text: label('outbox.status', m.status) })))));
  }).catch(ctx.showError);
  return h('div', { class: 'panel stack' }, h('p', { class: 'muted', text: t('outbox.help') }),
    h('div', { class: 'table-wrap' }, table));
}
