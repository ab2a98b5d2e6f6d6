// @ts-check
// The DPO's retention desk (POL-21, POL-29 to POL-33): the rules with their
// bounds, the dry-run sweep and the sweep itself, the quarterly report. The
// defaults and the sweep's operations come from the core's vocabularies;
// every rule is enforced by the core, these views report its refusals.

import { confirmInPage } from './confirm.js';
import {
  retentionRules, setRetentionRule, retentionPreview, retentionRun, saveQuarterlyReport,
} from './commands.js';
import { t, label } from './i18n.js';
import { h, $, focus, headerRow, messageRow } from './dom.js';
import { formatDate, formatDateTime } from './format.js';
import { uiError } from './errors.js';
import { vocab } from './vocab.js';
import { section, tableWrap, formResult, count, pseudonym } from './dpo-common.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').RuleEntry} RuleEntry */
/** @typedef {import('./bindings').Preview} Preview */
/** @typedef {import('./bindings').PlanItem} PlanItem */
/** @typedef {import('./bindings').KindCount} KindCount */

const ITEMS_SHOWN = 100;

/**
 * @typedef {object} RetentionState
 * @property {RuleEntry[] | null} rules
 * @property {boolean} rulesLoading
 * @property {boolean} rulesFailed
 * @property {Preview | null} preview
 * @property {string | null} previewAt
 * @property {boolean} previewing
 * @property {boolean} running
 * @property {{ executed: number, summary: import('./bindings').PlanSummary, run_id: string, at: string,
 *   refreshed: boolean } | null} outcome
 * @property {boolean} reporting
 */

/**
 * @param {Ctx} ctx
 * @returns {RetentionState}
 */
function retentionState(ctx) {
  if (!ctx.data.retention) {
    ctx.data.retention = {
      rules: null, rulesLoading: false, rulesFailed: false,
      preview: null, previewAt: null, previewing: false,
      running: false, outcome: null, reporting: false,
    };
  }
  return ctx.data.retention;
}

/**
 * The sweep's kinds of operation in plan order (the core's order), then any
 * kind the core adds that the window does not know yet.
 * @param {Partial<Record<string, KindCount>>} perAction
 */
function kindsOf(perAction) {
  const known = vocab().retention_actions.map((a) => a.kind);
  return [...known.filter((kind) => perAction[kind]),
    ...Object.keys(perAction).filter((kind) => !known.includes(/** @type {any} */ (kind)))];
}

/** @param {string} kind */
function ruleOf(kind) {
  const action = vocab().retention_actions.find((a) => a.kind === kind);
  return action ? action.rule_id : '';
}

/**
 * A rule's value in force: the saved one, else the policy's default.
 * @param {Ctx} ctx
 * @param {string} key
 */
function valueOf(ctx, key) {
  const rule = (retentionState(ctx).rules || []).find((r) => r.key === key)
    || vocab().retention_defaults.find((r) => r.key === key);
  return rule ? rule.value : 0;
}

/** @param {string} unit */
function unitWord(unit) {
  return label('retention.unit', unit);
}

/** @param {Ctx} ctx */
export function buildRetentionPanel(ctx) {
  const r = retentionState(ctx);
  const rules = section('retention-rules-section', 'retention.rulesTitle',
    h('p', { id: 'retention-intro', class: 'lead' }),
    h('p', { class: 'muted', text: t('retention.rulesHelp') }),
    tableWrap('retention-rules', 'retention.rulesLabel',
      ['retention.col.rule', 'retention.col.ref', 'retention.col.value', 'retention.col.bounds', 'retention.col.action']));
  const sweep = section('retention-sweep', 'retention.sweepTitle',
    h('p', { class: 'muted', text: t('retention.sweepHelp') }),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'retention-preview', class: 'btn btn-primary', text: t('retention.preview'),
        onClick: () => previewSweep(ctx, false) }),
      h('button', { type: 'button', id: 'retention-run', class: 'btn btn-danger', text: t('retention.run'),
        disabled: !r.preview, 'aria-describedby': 'retention-run-hint', onClick: () => runSweep(ctx) }),
      h('button', { type: 'button', id: 'retention-report', class: 'btn', text: t('retention.report'),
        onClick: () => saveReport(ctx) })),
    h('p', { id: 'retention-run-hint', class: 'field-hint muted' }),
    h('p', { id: 'retention-result', class: 'result' }),
    h('div', { id: 'retention-outcome', class: 'stack' }),
    h('div', { id: 'retention-preview-box', class: 'stack' }));

  const panel = h('div', { id: 'retention-panel', class: 'panel stack dpo-admin' },
    h('h2', { class: 'visually-hidden', text: t('retention.title') }), rules, sweep);
  // Fill once the panel is in the document (the fill functions look nodes up by id).
  queueMicrotask(() => {
    fillIntro(ctx);
    fillRules(ctx);
    fillSweep(ctx);
  });
  if (r.rules === null && !r.rulesLoading && !r.rulesFailed) loadRules(ctx);
  return panel;
}

/** @param {Ctx} ctx */
function fillIntro(ctx) {
  const box = $('retention-intro');
  if (!box) return;
  /** @param {string} key */
  const v = (key) => valueOf(ctx, key);
  box.textContent = t('retention.intro', {
    inactive: v('inactive_after_months'), reminder: v('reminder_after_months'),
    erase: v('erase_after_reminder_months'), traces: v('technical_traces_months'),
    audit: v('audit_months'), payment: v('payment_hold_years'), invoice: v('invoice_hold_years'),
    grace: v('execution_grace_days'),
  });
}

/** @param {Ctx} ctx */
async function loadRules(ctx) {
  const r = retentionState(ctx);
  r.rulesLoading = true;
  try {
    const rules = await retentionRules();
    if (r !== ctx.data.retention) return;
    r.rules = rules;
    r.rulesFailed = false;
  } catch (err) {
    if (r !== ctx.data.retention) return;
    r.rulesFailed = true;
    ctx.showError(err);
  } finally {
    r.rulesLoading = false;
  }
  fillIntro(ctx);
  fillRules(ctx);
}

/** @param {Ctx} ctx */
function fillRules(ctx) {
  const tbody = document.querySelector('#retention-rules tbody');
  if (!tbody) return;
  const r = retentionState(ctx);
  if (r.rules === null) {
    tbody.replaceChildren(r.rulesFailed
      ? messageRow(5, t('loadFailed'), () => { r.rulesFailed = false; fillRules(ctx); loadRules(ctx); })
      : messageRow(5, t('loading')));
    return;
  }
  tbody.replaceChildren(...r.rules.map((rule) => {
    const name = label('retention.rule', rule.key);
    const inputId = `retention-value-${rule.key}`;
    const input = h('input', {
      type: 'number', id: inputId, class: 'rule-value', min: rule.minimum, max: rule.maximum, step: '1',
      inputmode: 'numeric', value: rule.value,
      'aria-describedby': `retention-help-${rule.key} retention-bounds-${rule.key}`,
    });
    const save = h('button', {
      type: 'button', id: `retention-save-${rule.key}`, class: 'btn btn-small retention-save',
      text: t('retention.saveRule'), 'aria-label': t('retention.saveRuleLabel', { label: name }),
      onClick: () => saveRule(ctx, rule.key, input, save),
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        saveRule(ctx, rule.key, input, save);
      }
    });
    return h('tr', { 'data-key': rule.key },
      h('th', { scope: 'row', class: 'rule-name' },
        h('label', { for: inputId, text: name }),
        h('span', { id: `retention-help-${rule.key}`, class: 'rule-help muted', text: label('retention.help', rule.key) })),
      h('td', {}, h('code', { text: rule.rule_id })),
      h('td', { class: 'nowrap' }, input, ' ', h('span', { class: 'unit', text: unitWord(rule.unit) })),
      h('td', {
        id: `retention-bounds-${rule.key}`, class: 'nowrap',
        text: t('retention.bounds', { min: count(rule.minimum), max: count(rule.maximum), unit: unitWord(rule.unit) }),
      }),
      h('td', { class: 'actions' }, save));
  }));
}

/**
 * @param {Ctx} ctx
 * @param {string} key
 * @param {HTMLInputElement} input
 * @param {HTMLButtonElement} button
 */
async function saveRule(ctx, key, input, button) {
  const r = retentionState(ctx);
  const current = (r.rules || []).find((rule) => rule.key === key);
  const raw = input.value.trim();
  const value = Number(raw);
  if (raw === '' || !Number.isInteger(value) || value < 0) {
    ctx.showError(uiError('invalid_input', { reason: t('retention.notANumber') }));
    if (current) input.value = String(current.value);
    focus(input);
    return;
  }
  button.disabled = true;
  try {
    const rules = await setRetentionRule(key, value);
    if (r !== ctx.data.retention) return;
    r.rules = rules;
    // The last preview was computed with the old rules: it must be done again.
    r.preview = null;
    r.previewAt = null;
    ctx.clearError();
    const saved = rules.find((rule) => rule.key === key);
    fillIntro(ctx);
    fillRules(ctx);
    fillSweep(ctx);
    ctx.setStatus(t('retention.ruleSaved', {
      label: label('retention.rule', key), value: count(saved ? saved.value : value),
      unit: unitWord(saved ? saved.unit : (current ? current.unit : '')),
    }));
    focus($(`retention-save-${key}`));
  } catch (err) {
    // Refused: say why and put the value in force back.
    ctx.showError(err);
    if (current) input.value = String(current.value);
    focus(input);
  } finally {
    button.disabled = false;
  }
}

/** @param {Ctx} ctx */
function fillSweep(ctx) {
  const r = retentionState(ctx);
  const previewButton = $('retention-preview');
  if (!previewButton) return;
  const runButton = $('retention-run');
  const reportButton = $('retention-report');
  const busy = r.previewing || r.running;
  previewButton.disabled = busy;
  previewButton.textContent = r.previewing ? t('retention.previewing') : t('retention.preview');
  const due = r.preview ? Number(r.preview.summary.items) || 0 : 0;
  runButton.disabled = busy || !r.preview || due === 0;
  runButton.textContent = r.running ? t('retention.running') : t('retention.run');
  reportButton.disabled = r.reporting;
  reportButton.textContent = r.reporting ? t('retention.reporting') : t('retention.report');
  const hint = $('retention-run-hint');
  hint.textContent = !r.preview ? t('retention.runNeedsPreview') : (due === 0 ? t('retention.runNothing') : '');
  hint.hidden = !hint.textContent;
  fillOutcome(ctx);
  fillPreview(ctx);
}

/** @param {Ctx} ctx */
function fillOutcome(ctx) {
  const box = $('retention-outcome');
  if (!box) return;
  const outcome = retentionState(ctx).outcome;
  if (!outcome) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  /** @type {Partial<Record<string, KindCount>>} */
  const perAction = outcome.summary.per_action;
  const kinds = kindsOf(perAction);
  box.replaceChildren(
    h('h4', { text: t('retention.outcomeTitle') }),
    h('p', { id: 'retention-executed', class: 'outcome-line', 'data-executed': outcome.executed,
      text: t('retention.ran', { executed: count(outcome.executed) }) }),
    h('p', { class: 'muted', text: formatDateTime(outcome.at, ctx.lang()) }),
    kinds.length === 0 ? null : h('ul', { class: 'plain-list', 'aria-label': t('retention.outcomeLabel') },
      kinds.map((kind) => h('li', { 'data-kind': kind },
        t('retention.outcomeItem', { label: label('retention.action', kind), count: count(perAction[kind]?.items) })))),
    outcome.refreshed ? h('p', { class: 'muted', text: t('retention.refreshed') }) : null);
}

/** @param {Ctx} ctx */
function fillPreview(ctx) {
  const box = $('retention-preview-box');
  if (!box) return;
  const r = retentionState(ctx);
  const preview = r.preview;
  if (!preview) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const lang = ctx.lang();
  const summary = preview.summary;
  /** @type {Partial<Record<string, KindCount>>} */
  const perAction = summary.per_action;
  const note = h('p', { id: 'retention-dry-run', class: 'dry-run-note',
    text: summary.items ? `${t('retention.dryRun')} ${t('retention.dryRunNext')}` : t('retention.dryRun') });
  const when = h('p', { class: 'muted', text: t('retention.previewAt', { when: formatDateTime(r.previewAt, lang) }) });
  if (!summary.items) {
    box.replaceChildren(note, when,
      h('p', { id: 'retention-summary', class: 'empty', 'data-items': '0', text: t('retention.nothingDue') }));
    return;
  }

  let records = 0;
  const summaryRows = kindsOf(perAction).map((kind) => {
    const c = /** @type {KindCount} */ (perAction[kind]);
    records += Number(c.records) || 0;
    return h('tr', { 'data-kind': kind, 'data-items': c.items, 'data-overdue': c.overdue },
      h('th', { scope: 'row', text: label('retention.action', kind) }),
      h('td', {}, h('code', { text: ruleOf(kind) })),
      h('td', { class: 'num', text: count(c.items) }),
      h('td', { class: 'num', text: count(c.records) }),
      h('td', { class: Number(c.overdue) > 0 ? 'num overdue-count' : 'num', text: count(c.overdue) }));
  });
  const summaryTable = h('table', {
    id: 'retention-summary', class: 'data compact', 'aria-label': t('retention.summaryLabel'),
    'data-items': summary.items, 'data-overdue': summary.overdue,
  },
  headerRow([t('retention.col.operation'), t('retention.col.ref'), t('retention.col.items'),
    t('retention.col.records'), t('retention.col.overdue')]),
  h('tbody', {}, summaryRows),
  h('tfoot', {}, h('tr', { class: 'summary-total' },
    h('th', { scope: 'row', text: t('retention.total') }), h('td'),
    h('td', { class: 'num', text: count(summary.items) }),
    h('td', { class: 'num', text: count(records) }),
    h('td', { class: Number(summary.overdue) > 0 ? 'num overdue-count' : 'num', text: count(summary.overdue) }))));
  const totals = h('p', { id: 'retention-totals', class: 'strong-line', text: t('retention.totals', {
    items: count(summary.items), overdue: count(summary.overdue), grace: count(valueOf(ctx, 'execution_grace_days')),
  }) });

  const total = Number(preview.total) || preview.items.length;
  const shown = preview.items.slice(0, ITEMS_SHOWN);
  const itemsTable = h('table', { id: 'retention-items', class: 'data compact', 'aria-label': t('retention.itemsLabel') },
    headerRow([t('retention.col.operation'), t('retention.col.subject'), t('retention.col.records'),
      t('retention.col.dueSince'), t('retention.col.deadline'), t('retention.col.state')]),
    h('tbody', {}, shown.map((item) => {
      const kind = item.action.kind;
      const recordsOf = 'count' in item.action ? item.action.count : 1;
      return h('tr', { 'data-kind': kind, 'data-subject': item.subject, class: item.overdue ? 'overdue' : null },
        h('td', { text: label('retention.action', kind) }),
        h('td', {}, subjectCell(ctx, item)),
        h('td', { class: 'num', text: count(recordsOf) }),
        h('td', { class: 'nowrap', text: formatDate(item.due_since, lang) }),
        h('td', { class: 'nowrap', text: formatDate(item.deadline, lang) }),
        h('td', {}, item.overdue
          ? h('span', { class: 'badge late-badge', text: t('retention.late') })
          : h('span', { class: 'muted', text: t('retention.onTime') })));
    })));
  box.replaceChildren(note, when, totals,
    h('div', { class: 'table-wrap' }, summaryTable),
    h('h4', { text: t('retention.itemsTitle') }),
    h('p', { class: 'muted', text: t('retention.subjectHint') }),
    total > shown.length
      ? h('p', { class: 'muted', text: t('retention.shown', { shown: count(shown.length), total: count(total) }) })
      : null,
    h('div', { class: 'table-wrap' }, itemsTable));
}

/**
 * What an item concerns: a day of traces or audit entries, or a pseudonymous
 * account or hold (never a name).
 * @param {Ctx} ctx
 * @param {PlanItem} item
 */
function subjectCell(ctx, item) {
  const subject = String(item.subject ?? '');
  const lang = ctx.lang();
  const day = /:(\d{4}-\d{2}-\d{2})$/.exec(subject);
  if (subject.startsWith('technical_traces:') && day) return t('retention.subject.traces', { date: formatDate(day[1], lang) });
  if (subject.startsWith('audit_log:') && day) return t('retention.subject.audit', { date: formatDate(day[1], lang) });
  const key = item.action.kind === 'release_hold' ? 'retention.subject.hold' : 'retention.subject.account';
  const [before, after] = t(key, { ref: '\u0000' }).split('\u0000');
  return [before, pseudonym(subject), after || ''];
}

/**
 * @param {Ctx} ctx
 * @param {boolean} quiet
 */
async function previewSweep(ctx, quiet) {
  const r = retentionState(ctx);
  if (r.previewing) return;
  r.previewing = true;
  fillSweep(ctx);
  try {
    const preview = await retentionPreview();
    if (r !== ctx.data.retention) return;
    r.preview = preview;
    r.previewAt = new Date().toISOString();
    if (!quiet) {
      ctx.clearError();
      ctx.setStatus(preview.summary.items
        ? t('retention.previewDone', { items: count(preview.summary.items), overdue: count(preview.summary.overdue) })
        : t('retention.nothingDue'));
    }
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.previewing = false;
  }
  fillSweep(ctx);
}

/** @param {Ctx} ctx */
async function runSweep(ctx) {
  const r = retentionState(ctx);
  if (!r.preview || r.running || r.previewing) return;
  const perAction = r.preview.summary.per_action;
  const question = t('retention.confirmRun', {
    items: count(r.preview.summary.items),
    erase: count(perAction.erase_account ? perAction.erase_account.items : 0),
    reminders: count(perAction.queue_reminder ? perAction.queue_reminder.items : 0),
  });
  if (!(await confirmInPage(question))) {
    ctx.setStatus(t('retention.runCancelled'));
    return;
  }
  r.running = true;
  fillSweep(ctx);
  let done = false;
  try {
    const outcome = await retentionRun();
    if (r !== ctx.data.retention) return;
    r.outcome = {
      executed: Number(outcome.executed) || 0, summary: outcome.summary, run_id: outcome.run_id,
      at: new Date().toISOString(), refreshed: false,
    };
    r.preview = null;
    forgetStaleViews(ctx);
    ctx.clearError();
    done = true;
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.running = false;
  }
  fillSweep(ctx);
  if (!done || !r.outcome) return;
  formResult('retention-result', '', false);
  ctx.setStatus(t('retention.ran', { executed: count(r.outcome.executed) }));
  // What is left to do after the sweep.
  await previewSweep(ctx, true);
  if (r.preview && r.outcome) {
    r.outcome.refreshed = true;
    fillOutcome(ctx);
  }
}

/**
 * The sweep may have erased or changed accounts: the other tabs reload them
 * rather than keep showing what no longer exists.
 * @param {Ctx} ctx
 */
function forgetStaleViews(ctx) {
  const data = ctx.data;
  if (data.participants) {
    data.participants.items = null;
    data.participants.failed = false;
  }
  data.profile = null;
  data.profileId = null;
  if (data.groups) {
    data.groups.items = null;
    data.groups.failed = false;
  }
  data.registrations = null;
  data.sheet = null;
  if (data.registers) data.registers.holds = null;
}

/** @param {Ctx} ctx */
async function saveReport(ctx) {
  const r = retentionState(ctx);
  if (r.reporting) return;
  r.reporting = true;
  fillSweep(ctx);
  try {
    const saved = await saveQuarterlyReport(t('dialog.quarterlyReport'));
    if (r !== ctx.data.retention) return;
    ctx.clearError();
    const said = saved.saved
      ? t('retention.reportSaved', { records: count(saved.records) })
      : t('retention.reportCancelled');
    formResult('retention-result', said, saved.saved ? false : 'neutral');
    ctx.setStatus(said);
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.reporting = false;
  }
  fillSweep(ctx);
}
