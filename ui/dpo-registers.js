// @ts-check
// The DPO's registers (POL-8, POL-14, POL-34, POL-36, POL-37) and legal holds
// (POL-25a, POL-31): the record of processing activities, processors and
// transfers, policy versions. Legal bases come from the core's vocabularies;
// every rule is enforced by the core, these views report its refusals.

import { confirmInPage } from './confirm.js';
import { registers, legalHolds, saveActivity, saveProcessor, publishPolicyVersion } from './commands.js';
import { t, label } from './i18n.js';
import { h, $, focus, messageRow, field, select } from './dom.js';
import { formatDate, formatDateTime, formatEuros } from './format.js';
import { asUiError, errorText } from './errors.js';
import { dateField } from './datefield.js';
import { vocab } from './vocab.js';
import { section, tableWrap, formResult, count, pseudonym, checkField } from './dpo-common.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').Activity} Activity */
/** @typedef {import('./bindings').Processor} Processor */
/** @typedef {import('./bindings').PolicyVersion} PolicyVersion */
/** @typedef {import('./bindings').HoldRow} HoldRow */

/**
 * @typedef {object} RegistersState
 * @property {import('./bindings').Registers | null} value
 * @property {boolean} loading
 * @property {boolean} failed
 * @property {HoldRow[] | null} holds
 * @property {boolean} holdsLoading
 * @property {boolean} holdsFailed
 * @property {Activity | null} editActivity
 * @property {Processor | null} editProcessor
 * @property {import('./datefield.js').DateField | null} effective
 */

/**
 * @param {Ctx} ctx
 * @returns {RegistersState}
 */
function registersState(ctx) {
  if (!ctx.data.registers) {
    ctx.data.registers = {
      value: null, loading: false, failed: false,
      holds: null, holdsLoading: false, holdsFailed: false,
      editActivity: null, editProcessor: null, effective: null,
    };
  }
  return ctx.data.registers;
}

/** @param {Ctx} ctx */
export function buildRegistersPanel(ctx) {
  const g = registersState(ctx);
  const panel = h('div', { id: 'registers-panel', class: 'panel stack dpo-admin' },
    h('h2', { class: 'visually-hidden', text: t('registers.title') }),
    section('activities-section', 'registers.activitiesTitle',
      h('p', { class: 'muted', text: t('registers.activitiesHelp') }),
      tableWrap('registers-activities', 'registers.activitiesLabel',
        ['registers.col.activity', 'registers.col.purpose', 'registers.col.basis', 'registers.col.categories',
          'registers.col.retention', 'registers.col.actions']),
      activityForm(ctx)),
    section('processors-section', 'registers.processorsTitle',
      h('p', { class: 'muted', text: t('registers.processorsHelp') }),
      tableWrap('registers-processors', 'registers.processorsLabel',
        ['registers.col.processor', 'registers.col.service', 'registers.col.country', 'registers.col.outsideEea',
          'registers.col.safeguard', 'registers.col.actions']),
      processorForm(ctx)),
    section('policy-section', 'registers.policyTitle',
      h('p', { class: 'muted', text: t('registers.policyHelp') }),
      tableWrap('registers-policy', 'registers.policyLabel',
        ['registers.col.version', 'registers.col.published', 'registers.col.effective', 'registers.col.significant',
          'registers.col.summary', 'registers.col.notified']),
      policyForm(ctx)),
    section('holds-section', 'holds.title',
      h('p', { class: 'muted', text: t('holds.help') }),
      tableWrap('legal-holds', 'holds.label',
        ['holds.col.record', 'holds.col.number', 'holds.col.amount', 'holds.col.reason', 'holds.col.until',
          'holds.col.subject'])));

  queueMicrotask(() => {
    fillRegisters(ctx);
    fillHolds(ctx);
    setActivityForm(ctx, g.editActivity, false);
    setProcessorForm(ctx, g.editProcessor, false);
  });
  if (g.value === null && !g.loading && !g.failed) loadRegisters(ctx);
  if (g.holds === null && !g.holdsLoading && !g.holdsFailed) loadHolds(ctx);
  return panel;
}

/** @param {Ctx} ctx */
async function loadRegisters(ctx) {
  const g = registersState(ctx);
  g.loading = true;
  try {
    const value = await registers();
    if (g !== ctx.data.registers) return;
    g.value = value;
    g.failed = false;
  } catch (err) {
    if (g !== ctx.data.registers) return;
    g.failed = true;
    ctx.showError(err);
  } finally {
    g.loading = false;
  }
  fillRegisters(ctx);
}

/** @param {Ctx} ctx */
async function loadHolds(ctx) {
  const g = registersState(ctx);
  g.holdsLoading = true;
  try {
    const holds = await legalHolds();
    if (g !== ctx.data.registers) return;
    g.holds = holds;
    g.holdsFailed = false;
  } catch (err) {
    if (g !== ctx.data.registers) return;
    g.holdsFailed = true;
    ctx.showError(err);
  } finally {
    g.holdsLoading = false;
  }
  fillHolds(ctx);
}

/**
 * @param {Element} tbody
 * @param {number} columns
 * @param {boolean} failed
 * @param {(() => void) | null} retry
 */
function fillPending(tbody, columns, failed, retry) {
  tbody.replaceChildren(failed ? messageRow(columns, t('loadFailed'), retry) : messageRow(columns, t('loading')));
}

/** @param {Ctx} ctx */
function fillRegisters(ctx) {
  const g = registersState(ctx);
  const bodies = ['registers-activities', 'registers-processors', 'registers-policy']
    .map((id) => document.querySelector(`#${id} tbody`));
  const [activities, processors, policy] = bodies;
  if (!activities || !processors || !policy) return;
  if (g.value === null) {
    const retry = () => { g.failed = false; fillRegisters(ctx); loadRegisters(ctx); };
    fillPending(activities, 6, g.failed, retry);
    fillPending(processors, 6, g.failed, null);
    fillPending(policy, 6, g.failed, null);
    return;
  }
  fillActivities(ctx, activities, g.value.activities);
  fillProcessors(ctx, processors, g.value.processors);
  fillPolicy(ctx, policy, g.value.policy_versions);
}

/**
 * @param {Ctx} ctx
 * @param {Element} tbody
 * @param {Activity[]} items
 */
function fillActivities(ctx, tbody, items) {
  if (items.length === 0) {
    tbody.replaceChildren(messageRow(6, t('registers.activitiesEmpty')));
    return;
  }
  tbody.replaceChildren(...items.map((a) => {
    const basis = h('td', { 'data-basis': a.legal_basis }, h('span', { text: label('registers.basis', a.legal_basis) }));
    if (a.legal_basis === 'legitimate_interest') {
      basis.append(a.balancing_test
        ? h('span', { class: 'cell-note balancing-test', text: t('registers.balancing', { text: a.balancing_test }) })
        : h('span', { class: 'cell-note missing', text: t('registers.balancingMissing') }));
    }
    return h('tr', { 'data-id': a.id },
      h('td', { class: 'strong', text: a.name }),
      h('td', { text: a.purpose }),
      basis,
      h('td', { text: a.data_categories }),
      h('td', { text: a.retention }),
      h('td', { class: 'actions' }, h('button', {
        type: 'button', class: 'btn btn-small edit-activity', text: t('registers.edit'),
        'aria-label': t('registers.editActivityLabel', { name: a.name }),
        onClick: () => setActivityForm(ctx, a, true),
      })));
  }));
}

/**
 * @param {Ctx} ctx
 * @param {Element} tbody
 * @param {Processor[]} items
 */
function fillProcessors(ctx, tbody, items) {
  if (items.length === 0) {
    tbody.replaceChildren(messageRow(6, t('registers.processorsEmpty')));
    return;
  }
  tbody.replaceChildren(...items.map((p) => {
    let safeguard;
    if (p.transfer_safeguard) safeguard = h('td', { class: 'safeguard', text: p.transfer_safeguard });
    else if (p.outside_eea) safeguard = h('td', { class: 'safeguard missing', text: t('registers.safeguardMissing') });
    else safeguard = h('td', { class: 'safeguard muted', text: t('registers.notNeeded') });
    return h('tr', { 'data-id': p.id, 'data-outside-eea': String(Boolean(p.outside_eea)) },
      h('td', { class: 'strong', text: p.name }),
      h('td', { text: p.service }),
      h('td', { class: 'country', text: p.country }),
      h('td', {}, p.outside_eea
        ? h('span', { class: 'badge outside-badge', text: t('registers.yes') })
        : t('registers.no')),
      safeguard,
      h('td', { class: 'actions' }, h('button', {
        type: 'button', class: 'btn btn-small edit-processor', text: t('registers.edit'),
        'aria-label': t('registers.editProcessorLabel', { name: p.name }),
        onClick: () => setProcessorForm(ctx, p, true),
      })));
  }));
}

/**
 * @param {Ctx} ctx
 * @param {Element} tbody
 * @param {PolicyVersion[]} items
 */
function fillPolicy(ctx, tbody, items) {
  if (items.length === 0) {
    tbody.replaceChildren(messageRow(6, t('registers.policyEmpty')));
    return;
  }
  const lang = ctx.lang();
  tbody.replaceChildren(...items.map((v) => h('tr', { 'data-id': v.id, 'data-version': v.version },
    h('td', { class: 'strong', text: v.version }),
    h('td', { class: 'nowrap', text: formatDateTime(v.published_at, lang) }),
    h('td', { class: 'nowrap', text: formatDate(v.effective_at, lang) }),
    h('td', {}, v.significant ? h('span', { class: 'badge', text: t('registers.yes') }) : t('registers.no')),
    h('td', { text: v.summary }),
    h('td', { class: 'num', text: count(v.notified) }))));
}

/** @param {Ctx} ctx */
function fillHolds(ctx) {
  const tbody = document.querySelector('#legal-holds tbody');
  if (!tbody) return;
  const g = registersState(ctx);
  if (g.holds === null) {
    fillPending(tbody, 6, g.holdsFailed, () => { g.holdsFailed = false; fillHolds(ctx); loadHolds(ctx); });
    if (!g.holdsLoading && !g.holdsFailed) loadHolds(ctx);
    return;
  }
  if (g.holds.length === 0) {
    tbody.replaceChildren(messageRow(6, t('holds.empty')));
    return;
  }
  const lang = ctx.lang();
  tbody.replaceChildren(...g.holds.map((hold) => h('tr', { 'data-id': hold.id, 'data-table': hold.record_table },
    h('td', { text: label('holds.table', hold.record_table) }),
    h('td', { class: 'nowrap' }, hold.number ? h('code', { text: hold.number }) : t('none')),
    h('td', { class: 'num nowrap', text: hold.amount_cents == null ? t('none') : formatEuros(hold.amount_cents, lang) }),
    h('td', { text: label('holds.reason', hold.reason) }),
    h('td', { class: 'nowrap', text: formatDate(hold.held_until, lang) }),
    h('td', {}, pseudonym(hold.subject_ref)))));
}

// ---------------------------------------------------------------- activity form

/** @param {Ctx} ctx */
function activityForm(ctx) {
  const basis = select(vocab().legal_bases, (b) => label('registers.basis', b));
  const balancing = h('textarea', { rows: '3', maxlength: '500', 'aria-required': 'true' });
  const balancingField = field('activity-balancing', t('registers.activity.balancing'), balancing,
    t('registers.activity.balancingHint'));
  const syncBasis = () => { balancingField.hidden = basis.value !== 'legitimate_interest'; };
  basis.addEventListener('change', syncBasis);
  const text = () => h('input', { type: 'text', maxlength: '500' });
  const form = h('fieldset', { id: 'activity-form', class: 'dpo-form' },
    h('legend', { id: 'activity-legend', text: t('registers.addActivity') }),
    h('div', { class: 'form-grid' },
      field('activity-name', t('registers.activity.name'), text()),
      field('activity-purpose', t('registers.activity.purpose'), text()),
      field('activity-basis', t('registers.activity.basis'), basis),
      field('activity-categories', t('registers.activity.categories'), text()),
      field('activity-retention', t('registers.activity.retention'), text())),
    balancingField,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'activity-save', class: 'btn btn-primary', text: t('registers.saveActivity'),
        onClick: () => submitActivity(ctx) }),
      h('button', { type: 'button', id: 'activity-cancel', class: 'btn', text: t('registers.cancelEdit'), hidden: true,
        onClick: () => { setActivityForm(ctx, null, false); focus($('activity-name')); } })),
    h('p', { id: 'activity-result', class: 'result' }));
  syncBasis();
  return form;
}

/**
 * @param {Ctx} ctx
 * @param {Activity | null} activity
 * @param {boolean} focusIt
 */
function setActivityForm(ctx, activity, focusIt) {
  const g = registersState(ctx);
  g.editActivity = activity || null;
  const legend = $('activity-legend');
  if (!legend) return;
  const bases = vocab().legal_bases;
  const a = activity || { name: '', purpose: '', legal_basis: bases[0], balancing_test: '', data_categories: '', retention: '' };
  $('activity-name').value = a.name || '';
  $('activity-purpose').value = a.purpose || '';
  $('activity-basis').value = bases.includes(/** @type {any} */ (a.legal_basis)) ? a.legal_basis : bases[0];
  $('activity-basis').dispatchEvent(new Event('change'));
  $('activity-balancing').value = a.balancing_test || '';
  $('activity-categories').value = a.data_categories || '';
  $('activity-retention').value = a.retention || '';
  legend.textContent = activity ? t('registers.editActivity', { name: activity.name }) : t('registers.addActivity');
  $('activity-save').textContent = activity ? t('registers.saveChanges') : t('registers.saveActivity');
  $('activity-cancel').hidden = !activity;
  if (focusIt) focus($('activity-name'));
}

/** @param {Ctx} ctx */
async function submitActivity(ctx) {
  const g = registersState(ctx);
  const button = $('activity-save');
  const basis = $('activity-basis').value;
  /** @type {Activity} */
  const activity = {
    id: g.editActivity ? g.editActivity.id : null,
    name: $('activity-name').value,
    purpose: $('activity-purpose').value,
    legal_basis: basis,
    balancing_test: basis === 'legitimate_interest' ? ($('activity-balancing').value.trim() || null) : null,
    data_categories: $('activity-categories').value,
    retention: $('activity-retention').value,
  };
  button.disabled = true;
  try {
    await saveActivity(activity);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    setActivityForm(ctx, null, false);
    const said = t('registers.activitySaved', { name: activity.name.trim() });
    formResult('activity-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('activity-result', errorText(err), true);
    focus($(asUiError(err).code === 'balancing_test_required' ? 'activity-balancing' : 'activity-name'));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- processor form

/** @param {Ctx} ctx */
function processorForm(ctx) {
  const [outsideField, outside] = checkField('processor-outside', 'registers.processor.outside');
  const safeguard = h('input', { type: 'text', maxlength: '500', 'aria-required': 'true' });
  const safeguardField = field('processor-safeguard', t('registers.processor.safeguard'), safeguard,
    t('registers.processor.safeguardHint'));
  outside.setAttribute('aria-controls', 'processor-safeguard');
  const syncOutside = () => {
    safeguardField.hidden = !outside.checked;
    outside.setAttribute('aria-expanded', String(outside.checked));
  };
  outside.addEventListener('change', syncOutside);
  const text = () => h('input', { type: 'text', maxlength: '500' });
  const form = h('fieldset', { id: 'processor-form', class: 'dpo-form' },
    h('legend', { id: 'processor-legend', text: t('registers.addProcessor') }),
    h('div', { class: 'form-grid' },
      field('processor-name', t('registers.processor.name'), text()),
      field('processor-service', t('registers.processor.service'), text()),
      field('processor-country', t('registers.processor.country'), text())),
    outsideField, safeguardField,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'processor-save', class: 'btn btn-primary', text: t('registers.saveProcessor'),
        onClick: () => submitProcessor(ctx) }),
      h('button', { type: 'button', id: 'processor-cancel', class: 'btn', text: t('registers.cancelEdit'), hidden: true,
        onClick: () => { setProcessorForm(ctx, null, false); focus($('processor-name')); } })),
    h('p', { id: 'processor-result', class: 'result' }));
  syncOutside();
  return form;
}

/**
 * @param {Ctx} ctx
 * @param {Processor | null} processor
 * @param {boolean} focusIt
 */
function setProcessorForm(ctx, processor, focusIt) {
  const g = registersState(ctx);
  g.editProcessor = processor || null;
  const legend = $('processor-legend');
  if (!legend) return;
  const p = processor || { name: '', service: '', country: '', outside_eea: false, transfer_safeguard: '' };
  $('processor-name').value = p.name || '';
  $('processor-service').value = p.service || '';
  $('processor-country').value = p.country || '';
  $('processor-outside').checked = Boolean(p.outside_eea);
  $('processor-outside').dispatchEvent(new Event('change'));
  $('processor-safeguard').value = p.transfer_safeguard || '';
  legend.textContent = processor ? t('registers.editProcessor', { name: processor.name }) : t('registers.addProcessor');
  $('processor-save').textContent = processor ? t('registers.saveChanges') : t('registers.saveProcessor');
  $('processor-cancel').hidden = !processor;
  if (focusIt) focus($('processor-name'));
}

/** @param {Ctx} ctx */
async function submitProcessor(ctx) {
  const g = registersState(ctx);
  const button = $('processor-save');
  const outside = $('processor-outside').checked;
  /** @type {Processor} */
  const processor = {
    id: g.editProcessor ? g.editProcessor.id : null,
    name: $('processor-name').value,
    service: $('processor-service').value,
    country: $('processor-country').value,
    outside_eea: outside,
    // Inside the EEA no safeguard is recorded; outside, the core refuses an empty one.
    transfer_safeguard: outside ? ($('processor-safeguard').value.trim() || null) : null,
  };
  button.disabled = true;
  try {
    await saveProcessor(processor);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    setProcessorForm(ctx, null, false);
    const said = t('registers.processorSaved', { name: processor.name.trim() });
    formResult('processor-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('processor-result', errorText(err), true);
    focus($(asUiError(err).code === 'safeguard_required' ? 'processor-safeguard' : 'processor-name'));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- policy form

/** @param {Ctx} ctx */
function policyForm(ctx) {
  const g = registersState(ctx);
  // A significant change takes effect 30 days after publication at the
  // earliest (POL-36): the core checks it and says so.
  const effective = dateField({ id: 'policy-effective', label: t('registers.policy.effective'), lang: ctx.lang() });
  g.effective = effective;
  const [significantField] = checkField('policy-significant', 'registers.policy.significant',
    'registers.policy.significantHint');
  return h('fieldset', { id: 'policy-form', class: 'dpo-form' },
    h('legend', { text: t('registers.publishTitle') }),
    h('div', { class: 'form-grid' },
      field('policy-version', t('registers.policy.version'), h('input', { type: 'text', maxlength: '500' })),
      effective.node),
    significantField,
    field('policy-summary', t('registers.policy.summary'), h('textarea', { rows: '3', maxlength: '500' })),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'policy-publish', class: 'btn btn-primary', text: t('registers.publish'),
        onClick: () => publishVersion(ctx) })),
    h('p', { id: 'policy-result', class: 'result' }));
}

/** @param {Ctx} ctx */
async function publishVersion(ctx) {
  const g = registersState(ctx);
  const effective = g.effective;
  if (!effective) return;
  const button = $('policy-publish');
  const effectiveOn = effective.iso();
  if (!effective.check() || effectiveOn === null) {
    formResult('policy-result', t('registers.needDate'), true);
    focus(effective.input);
    return;
  }
  /** @type {import('./bindings').NewPolicyVersion} */
  const version = {
    version: $('policy-version').value,
    effective_on: effectiveOn,
    significant: $('policy-significant').checked,
    summary: $('policy-summary').value,
  };
  if (version.significant && !(await confirmInPage(t('registers.confirmSignificant', {
    version: version.version.trim(), date: formatDate(effectiveOn, ctx.lang()),
  }), { danger: false }))) {
    ctx.setStatus(t('registers.publishCancelled'));
    return;
  }
  button.disabled = true;
  try {
    const published = await publishPolicyVersion(version);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    for (const id of ['policy-version', 'policy-summary']) $(id).value = '';
    effective.set(null);
    $('policy-significant').checked = false;
    const said = t('registers.published', { version: published.version, notified: count(published.notified) });
    formResult('policy-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('policy-result', errorText(err), true);
    const code = asUiError(err).code;
    if (code === 'notice_too_short' || code === 'effective_in_past') focus(effective.input);
    else if (code === 'version_exists') focus($('policy-version'));
  } finally {
    button.disabled = false;
  }
}
