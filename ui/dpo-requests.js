// @ts-check
// The DPO's rights-request desk (issue 4; POL-23..28, POL-38): the register,
// a new request, one request with its deadlines, log and actions, and the
// support's access in progress (ROLE-4). The core enforces every rule (the
// request's state machine, identity first, deadlines); kinds, channels and
// fields come from the core's vocabularies.

import {
  rightsRequests, rightsRequestDetail, registerRightsRequest, advanceRightsRequest, rectifyField,
  decideObjection, unsubscribeParticipant, exportAccess, eraseParticipant, listParticipants,
  assistanceRequests, renewAssistance, closeAssistance,
} from './commands.js';
import { t, label } from './i18n.js';
import { h, $, focus, headerRow, messageRow, fullName, field, select, button } from './dom.js';
import { formatDateTime, formatWhen, parisToday } from './format.js';
import { attempt } from './errors.js';
import { confirmInPage } from './confirm.js';
import { dateField } from './datefield.js';
import { vocab } from './vocab.js';
import { showErasure } from './dpo-profile.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').RequestRow} RequestRow */
/** @typedef {import('./bindings').RequestDetail} RequestDetail */

const SEARCH_DEBOUNCE_MS = 200;

// ---------------------------------------------------------------- register

/** @param {Ctx} ctx */
export function buildRequestsPanel(ctx) {
  const data = ctx.data;
  if (!data.requests) data.requests = { items: null, detail: null };
  const panel = h('div', { class: 'panel stack', id: 'requests-panel' });
  if (data.requests.detail) {
    panel.append(buildDetail(ctx, data.requests.detail));
    return panel;
  }
  const table = h('table', { id: 'rights-requests', class: 'data', 'aria-label': t('rq.label') },
    headerRow([t('col.ref'), t('col.person'), t('col.kind'), t('col.channel'), t('col.received'),
      t('col.due'), t('col.legalDue'), t('col.status'), t('col.urgency'), t('col.actions')]),
    h('tbody', {}, messageRow(10, t('loading'))));
  panel.append(h('p', { class: 'muted', text: t('rq.help') }), buildRegisterForm(ctx),
    h('div', { class: 'table-wrap' }, table), buildAssistance(ctx));
  rightsRequests().then((rows) => {
    data.requests.items = rows;
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [messageRow(10, t('rq.empty'))]
      : rows.map((r) => requestRow(ctx, r))));
  }).catch(ctx.showError);
  return panel;
}

/**
 * @param {Ctx} ctx
 * @param {RequestRow} r
 */
function requestRow(ctx, r) {
  const l = ctx.lang();
  return h('tr', { 'data-id': r.id, class: r.open ? `urgency-${r.urgency}` : 'closed' },
    h('td', { class: 'nowrap', text: r.reference }),
    h('td', { text: r.person || t('rq.detached') }),
    h('td', { text: label('kind', r.kind) }),
    h('td', { text: label('channel', r.channel) }),
    h('td', { class: 'nowrap', text: formatWhen(r.received_on, l) }),
    h('td', { class: 'nowrap', text: formatWhen(r.due, l) }),
    h('td', { class: 'nowrap', text: formatWhen(r.deadlines.legal, l) }),
    h('td', { text: label('rqstatus', r.status) }),
    h('td', {}, r.urgency ? h('span', { class: `badge urgency-${r.urgency}`, text: label('urgency', r.urgency) }) : ''),
    h('td', { class: 'actions' }, h('button', {
      type: 'button', class: 'btn btn-small open-request', text: t('rq.open'),
      'aria-label': t('rq.openLabel', { ref: r.reference }), onClick: () => openDetail(ctx, r.id),
    })));
}

/** @param {Ctx} ctx */
function buildRegisterForm(ctx) {
  const v = vocab();
  const search = h('input', { type: 'search', autocomplete: 'off', placeholder: t('rq.personSearch') });
  const person = h('select', {}, h('option', { value: '', text: t('rq.personPick') }));
  const kind = select(v.request_kinds, (k) => label('kind', k));
  const channel = select(v.channels, (c) => label('channel', c));
  const received = dateField({ id: 'request-received', label: t('rq.received'), lang: ctx.lang(), value: parisToday() });
  const purpose = select(v.objection_purposes, (p) => label('purpose', p));
  const purposeField = field('request-purpose', t('rq.purpose'), purpose);
  purposeField.hidden = true;
  kind.addEventListener('change', () => { purposeField.hidden = kind.value !== 'objection'; });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = search.value.trim();
      const rows = query.length < 2 ? [] : await attempt(ctx, () => listParticipants(query));
      if (!rows) return;
      person.replaceChildren(h('option', { value: '', text: t('rq.personPick') }),
        ...rows.map((p) => h('option', { value: p.id, text: `${fullName(p)} — ${p.email}` })));
      if (rows.length === 1) person.value = rows[0].id;
    }, SEARCH_DEBOUNCE_MS);
  });
  const personError = h('p', { id: 'request-person-error', class: 'field-error', 'aria-live': 'polite' });
  const submit = button('request-register', t('rq.register'), async () => {
    personError.textContent = person.value ? '' : t('rq.needPerson');
    if (!person.value) {
      focus(search);
      return;
    }
    const receivedOn = received.iso();
    if (!received.check() || receivedOn === null) {
      focus(received.input);
      return;
    }
    const row = await attempt(ctx, () => registerRightsRequest({
      participant_id: person.value,
      kind: /** @type {import('./bindings').RequestKind} */ (kind.value),
      channel: /** @type {import('./bindings').Channel} */ (channel.value),
      received_on: receivedOn,
      objection_purpose: kind.value === 'objection' ? /** @type {import('./bindings').ObjectionPurpose} */ (purpose.value) : null,
    }));
    if (!row) return;
    ctx.setStatus(t('rq.registered', { ref: row.reference }));
    openDetail(ctx, row.id);
  }, 'btn-primary');
  return h('section', { class: 'form-card stack', 'aria-labelledby': 'request-new-title' },
    h('h3', { id: 'request-new-title', text: t('rq.new') }),
    h('div', { class: 'form-row' },
      field('request-person-search', t('rq.person'), search),
      field('request-person', t('rq.personPick'), person),
      field('request-kind', t('rq.kind'), kind),
      field('request-channel', t('rq.channel'), channel),
      received.node,
      purposeField),
    personError,
    submit);
}

// ---------------------------------------------------------------- support access (ROLE-4)

/** @param {Ctx} ctx */
function buildAssistance(ctx) {
  const l = ctx.lang();
  const table = h('table', { id: 'assistance', class: 'data', 'aria-label': t('as.title') },
    headerRow([t('col.person'), t('as.support'), t('as.opened'), t('as.expires'), t('col.actions')]),
    h('tbody', {}, messageRow(5, t('loading'))));
  /** @param {import('./bindings').AssistanceRow[]} rows */
  const fill = (rows) => {
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [messageRow(5, t('as.empty'))]
      : rows.map((a) => h('tr', { 'data-id': a.id },
        h('td', { text: a.person }), h('td', { text: a.support }),
        h('td', { class: 'nowrap', text: formatDateTime(a.opened_at, l) }),
        h('td', { class: 'nowrap' }, formatDateTime(a.expires_at, l),
          a.expired ? [' ', h('span', { class: 'badge urgency-overdue', text: t('as.expired') })] : null),
        h('td', { class: 'actions' },
          h('button', {
            type: 'button', class: 'btn btn-small renew-assistance', text: t('as.renew'),
            'aria-label': t('as.renewLabel', { name: a.person }),
            onClick: async () => {
              const renewed = await attempt(ctx, () => renewAssistance(a.id));
              if (!renewed) return;
              ctx.setStatus(t('as.renewed', { date: formatDateTime(renewed.expires_at, l) }));
              load();
            },
          }),
          ' ',
          h('button', {
            type: 'button', class: 'btn btn-small close-assistance', text: t('as.close'),
            'aria-label': t('as.closeLabel', { name: a.person }),
            onClick: async () => {
              const done = await attempt(ctx, () => closeAssistance(a.id));
              if (done === undefined) return;
              ctx.setStatus(t('as.closedDone'));
              load();
            },
          }))))));
  };
  const load = () => assistanceRequests().then(fill).catch(ctx.showError);
  load();
  return h('section', { class: 'stack', 'aria-labelledby': 'assistance-title' },
    h('h3', { id: 'assistance-title', text: t('as.title') }), h('p', { class: 'muted', text: t('as.help') }),
    h('div', { class: 'table-wrap' }, table));
}

// ---------------------------------------------------------------- one request

/**
 * @param {Ctx} ctx
 * @param {string} id
 */
async function openDetail(ctx, id) {
  const detail = await attempt(ctx, () => rightsRequestDetail(id));
  if (!detail) return;
  ctx.data.requests.detail = detail;
  ctx.rerender();
  focus($('request-title'));
}

/**
 * Reads the request again and shows it; says `statusKey` when given.
 * @param {Ctx} ctx
 * @param {string} id
 * @param {string} [statusKey]
 * @param {Record<string, string | number>} [params]
 */
async function refresh(ctx, id, statusKey, params) {
  const detail = await attempt(ctx, () => rightsRequestDetail(id));
  if (!detail) return;
  ctx.data.requests.detail = detail;
  ctx.rerender();
  if (statusKey) ctx.setStatus(t(statusKey, params));
}

/**
 * @param {Ctx} ctx
 * @param {RequestDetail} detail
 */
function buildDetail(ctx, detail) {
  const r = detail.request;
  const l = ctx.lang();
  const back = h('button', { type: 'button', class: 'btn back', id: 'request-back',
    onClick: () => { ctx.data.requests.detail = null; ctx.rerender(); } },
  h('span', { 'aria-hidden': 'true', text: '← ' }), t('rq.back'));
  const facts = h('dl', { class: 'facts' },
    h('dt', { text: t('col.person') }), h('dd', { text: r.person || t('rq.detached') }),
    h('dt', { text: t('col.kind') }),
    h('dd', { text: label('kind', r.kind) + (r.objection_purpose ? ` — ${label('purpose', r.objection_purpose)}` : '') }),
    h('dt', { text: t('col.channel') }), h('dd', { text: label('channel', r.channel) }),
    h('dt', { text: t('col.received') }), h('dd', { id: 'request-received-on', text: formatWhen(r.received_on, l) }),
    h('dt', { text: t('col.status') }), h('dd', { id: 'request-status', text: label('rqstatus', r.status) }),
    h('dt', { text: t('rq.identity') }),
    h('dd', { text: r.identity_checked_at
      ? t('rq.identityDone', { method: r.identity_check_method || '', date: formatDateTime(r.identity_checked_at, l) })
      : t('rq.identityNone') }),
    r.grounds ? [h('dt', { text: t('rq.grounds') }), h('dd', { text: r.grounds })] : null);
  /** @type {[string, string][]} */
  const dates = [['rq.policyTarget', r.deadlines.policy_target], ['rq.policyExtended', r.deadlines.policy_extended],
    ['rq.legal', r.deadlines.legal], ['rq.legalExtended', r.deadlines.legal_extended]];
  const deadlines = h('dl', { class: 'facts', id: 'request-deadlines' },
    dates.flatMap(([key, date]) => [h('dt', { text: t(key) }), h('dd', { text: formatWhen(date, l) })]),
    r.urgency ? [h('dt', { text: t('col.urgency') }),
      h('dd', {}, h('span', { class: `badge urgency-${r.urgency}`, text: label('urgency', r.urgency) }))] : null);
  const log = detail.actions.length === 0 ? h('p', { class: 'empty', text: t('rq.logEmpty') })
    : h('div', { class: 'table-wrap' }, h('table', { class: 'data compact', id: 'request-log', 'aria-label': t('rq.log') },
      headerRow([t('col.when'), t('col.by'), t('col.action'), t('col.field'), t('col.detail')]),
      h('tbody', {}, detail.actions.map((a) => h('tr', {},
        h('td', { class: 'nowrap', text: formatDateTime(a.at, l) }), h('td', { text: a.staff }),
        h('td', { text: label('rqaction', a.action) }),
        h('td', { text: a.field ? label('field', a.field) : '' }), h('td', { text: a.detail || '' }))))));
  return h('section', { class: 'stack request-detail', 'aria-labelledby': 'request-title' },
    h('div', { class: 'profile-head' }, back,
      h('h2', { id: 'request-title', tabindex: '-1', text: t('rq.title', { ref: r.reference }) })),
    h('section', { id: 'erasure-result', class: 'stack', tabindex: '-1', 'aria-live': 'polite' }),
    h('div', { class: 'columns' },
      h('section', { class: 'profile-block' }, h('h3', { text: t('rq.identity') }), facts),
      h('section', { class: 'profile-block' }, h('h3', { text: t('rq.deadlines') }), deadlines)),
    r.open ? buildActions(ctx, r) : h('p', { class: 'muted', text: t('rq.closed') }),
    h('section', { class: 'profile-block' }, h('h3', { text: t('rq.log') }), log));
}

/**
 * The step buttons of an open request.
 * @param {Ctx} ctx
 * @param {string} id
 * @param {import('./bindings').Step} step
 */
async function advance(ctx, id, step) {
  const done = await attempt(ctx, () => advanceRightsRequest(id, step));
  if (done) refresh(ctx, id, 'rq.updated');
}

/**
 * @param {Ctx} ctx
 * @param {RequestRow} r
 */
function buildActions(ctx, r) {
  const id = r.id;
  const section = h('section', { class: 'form-card stack', 'aria-labelledby': 'request-act-title' },
    h('h3', { id: 'request-act-title', text: t('rq.act') }));
  if (r.status === 'received') {
    const method = h('input', { type: 'text', placeholder: t('rq.identityPlaceholder'), size: 50 });
    section.append(h('div', { class: 'form-row' }, field('identity-method', t('rq.identityMethod'), method),
      button('identity-check', t('rq.identityCheck'),
        () => advance(ctx, id, { step: 'check_identity', method: method.value }), 'btn-primary')));
  }
  const person = r.participant_id;
  if (r.identity_checked_at && person) section.append(...kindActions(ctx, r, person));
  const note = h('textarea', { rows: 2, cols: 50 });
  const extendGrounds = h('input', { type: 'text', size: 40 });
  const refuseGrounds = h('input', { type: 'text', size: 40 });
  section.append(
    h('div', { class: 'form-row' }, field('answer-note', t('rq.answerNote'), note),
      button('request-answer', t('rq.answer'), () => advance(ctx, id, { step: 'answer', note: note.value || null }))),
    h('p', { class: 'muted', text: t('rq.answerHint') }),
    ...(r.status === 'extended' ? [] : [h('div', { class: 'form-row' },
      field('extend-grounds', t('rq.extendGrounds'), extendGrounds),
      button('request-extend', t('rq.extend'), () => advance(ctx, id, { step: 'extend', grounds: extendGrounds.value })))]),
    h('div', { class: 'form-row' }, field('refuse-grounds', t('rq.refuseGrounds'), refuseGrounds),
      button('request-refuse', t('rq.refuse'), () => advance(ctx, id, { step: 'refuse', grounds: refuseGrounds.value }))));
  return section;
}

/**
 * What the request's kind asks for, once the identity is checked.
 * @param {Ctx} ctx
 * @param {RequestRow} r
 * @param {string} person
 * @returns {HTMLElement[]}
 */
function kindActions(ctx, r, person) {
  const id = r.id;
  if (r.kind === 'access' || r.kind === 'portability') {
    return [button('request-export', t('rq.export'), async () => {
      const saved = await attempt(ctx, () => exportAccess(person, id, t('dialog.exportAccess')));
      if (!saved) return;
      if (!saved.saved) {
        ctx.setStatus(t('rq.cancelled'));
        return;
      }
      refresh(ctx, id, 'rq.exported', { categories: saved.categories, records: saved.records });
    }, 'btn-primary')];
  }
  if (r.kind === 'rectification') {
    const which = select(vocab().rectifiable_fields, (f) => label('field', f));
    const value = h('input', { type: 'text', size: 40, autocomplete: 'off' });
    return [h('div', { class: 'form-row' }, field('rectify-field', t('rq.field'), which),
      field('rectify-value', t('rq.value'), value),
      button('rectify-apply', t('rq.rectify'), async () => {
        const done = await attempt(ctx, () =>
          rectifyField(id, /** @type {import('./bindings').RectifiableField} */ (which.value), value.value));
        if (done === undefined) return;
        value.value = '';
        refresh(ctx, id, 'rq.rectified');
      }, 'btn-primary'))];
  }
  if (r.kind === 'erasure') {
    const deep = h('input', { type: 'checkbox', id: 'erase-deep', checked: true });
    return [h('label', { class: 'inline-check' }, deep, ' ', t('rq.deep')),
      button('request-erase', t('rq.erase'), async () => {
        if (!(await confirmInPage(t('rq.eraseConfirm'), { confirmLabel: t('rq.erase') }))) return;
        const outcome = await attempt(ctx, () => eraseParticipant(person, 'request', id, deep.checked));
        if (!outcome) return;
        await refresh(ctx, id);
        showErasure(ctx, outcome, null);
      }, 'btn-danger')];
  }
  if (r.kind === 'objection' && !r.decision) {
    const grounds = h('textarea', { rows: 2, cols: 50 });
    /** @param {boolean} accepted */
    const decide = async (accepted) => {
      const done = await attempt(ctx, () => decideObjection(id, accepted, grounds.value || null));
      if (done) refresh(ctx, id, 'rq.decided');
    };
    return [field('objection-grounds', t('rq.grounds'), grounds), h('div', { class: 'form-row' },
      button('objection-accept', t('rq.accept'), () => decide(true), 'btn-primary'),
      button('objection-reject', t('rq.reject'), () => decide(false)))];
  }
  if (r.kind === 'unsubscribe') {
    return [button('request-unsubscribe', t('rq.unsubscribe'), async () => {
      const done = await attempt(ctx, () => unsubscribeParticipant(person, 'email', id));
      if (done) refresh(ctx, id, 'rq.unsubscribed');
    }, 'btn-primary')];
  }
  return [];
}
