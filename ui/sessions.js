// @ts-check
// Sessions and preparation sheets (ROLE-1, POL-9) and videoconference
// report imports (POL-4, DC-7). The core decides what may be seen and done;
// these views only show its answers.

import {
  upcomingSessions, preparationSheet, setAttendance, addObjective, editObjective, addProgressNote,
  editProgressNote, importReport, unmatchedRows, resolveUnmatched, listParticipants,
} from './commands.js';
import { t, tc, label } from './i18n.js';
import { h, $, focus, headerRow, messageRow, fullName } from './dom.js';
import { formatDateTime } from './format.js';
import { asUiError } from './errors.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').PreparationSheet} Sheet */
/** @typedef {import('./bindings').SheetEntry} SheetEntry */

const IMPORTERS = ['trainer', 'administrator', 'dpo'];

/** @param {Ctx} ctx */
export function buildSessionsPanel(ctx) {
  const data = ctx.data;
  if (!data.sessions) data.sessions = { items: null, loading: false, failed: false };
  const panel = h('div', { class: 'panel stack', id: 'sessions-panel' });
  if (data.sheet) {
    panel.append(buildSheet(ctx, data.sheet));
    return panel;
  }
  const table = h('table', { id: 'sessions', class: 'data', 'aria-label': t('sessions.label') },
    headerRow([t('col.when'), t('col.session'), t('col.group'), t('col.room'), t('col.enrolled'), t('col.actions')]),
    h('tbody'));
  // Import options and results above the list, where the office looks first.
  if (IMPORTERS.includes(ctx.role || '')) {
    panel.append(
      h('label', { class: 'inline-check' },
        h('input', { type: 'checkbox', id: 'import-day-first' }), ' ', t('import.dayFirst')),
      h('section', { id: 'import-result', class: 'stack', tabindex: '-1', 'aria-live': 'polite' }));
  }
  panel.append(h('div', { class: 'table-wrap' }, table));
  fillSessions(ctx, table.tBodies[0]);
  const list = data.sessions;
  if (list.items === null && !list.loading && !list.failed) loadSessions(ctx);
  return panel;
}

/**
 * @param {Ctx} ctx
 * @param {HTMLTableSectionElement} tbody
 */
function fillSessions(ctx, tbody) {
  const list = ctx.data.sessions;
  if (list.items === null) {
    tbody.replaceChildren(messageRow(6, list.failed ? t('loadFailed') : t('loading')));
    return;
  }
  if (list.items.length === 0) {
    tbody.replaceChildren(messageRow(6, t('sessions.empty')));
    return;
  }
  tbody.replaceChildren(...list.items.map((/** @type {import('./bindings').SessionRow} */ s) => h('tr', { 'data-id': s.id },
    h('td', { class: 'nowrap', text: formatDateTime(s.starts_at, ctx.lang()) }),
    h('td', { text: s.title }),
    h('td', { text: s.group_name }),
    h('td', { text: s.room || label('kind', s.kind) }),
    h('td', { class: 'num', text: String(s.enrolled) }),
    h('td', { class: 'actions' },
      ['trainer', 'dpo'].includes(ctx.role || '') ? h('button', {
        type: 'button', class: 'btn btn-small open-sheet', text: t('sessions.prepare'),
        'aria-label': t('sessions.prepareLabel', { title: s.title }),
        onClick: () => openSheet(ctx, s.id, false),
      }) : null,
      IMPORTERS.includes(ctx.role || '') ? h('button', {
        type: 'button', class: 'btn btn-small import-report', text: t('import.button'),
        'aria-label': t('import.buttonLabel', { title: s.title }),
        onClick: () => runImport(ctx, s.id),
      }) : null))));
}

/** @param {Ctx} ctx */
async function loadSessions(ctx) {
  const list = ctx.data.sessions;
  list.loading = true;
  try {
    list.items = await upcomingSessions();
    list.failed = false;
    ctx.clearError();
    ctx.setStatus(tc('sessions.count', list.items.length));
  } catch (err) {
    list.failed = true;
    ctx.showError(err);
  } finally {
    list.loading = false;
  }
  const tbody = document.querySelector('#sessions tbody');
  if (tbody) fillSessions(ctx, /** @type {HTMLTableSectionElement} */ (tbody));
}

/**
 * @param {Ctx} ctx
 * @param {string} sessionId
 * @param {boolean} keepFocus
 */
async function openSheet(ctx, sessionId, keepFocus) {
  try {
    const sheet = await preparationSheet(sessionId);
    ctx.data.sheet = sheet;
    ctx.clearError();
    ctx.rerender();
    if (!keepFocus) focus($('sheet-title'));
    ctx.setStatus(t('sheet.opened', { title: sheet.session.title }));
  } catch (err) {
    ctx.showError(err);
  }
}

/**
 * @param {Ctx} ctx
 * @param {Sheet} sheet
 */
function buildSheet(ctx, sheet) {
  const back = h('button', {
    type: 'button', class: 'btn back-to-sessions', text: t('sheet.back'),
    onClick: () => {
      ctx.data.sheet = null;
      ctx.rerender();
      focus(/** @type {HTMLElement | null} */ (document.querySelector('#sessions .open-sheet')));
    },
  });
  const s = sheet.session;
  const head = h('div', { class: 'profile-head' }, back, h('h2', { id: 'sheet-title', tabindex: '-1', text: s.title }));
  const meta = h('p', { class: 'muted', text: t('sheet.meta', {
    when: formatDateTime(s.starts_at, ctx.lang()), group: s.group_name, count: sheet.participants.length,
    past: sheet.past_sessions,
  }) });
  const entries = sheet.participants.length === 0
    ? [h('p', { class: 'empty', text: t('sheet.empty') })]
    : sheet.participants.map((p) => buildSheetEntry(ctx, sheet, p));
  return h('section', { id: 'sheet', class: 'stack', 'aria-labelledby': 'sheet-title' }, head, meta, ...entries);
}

/**
 * @template T
 * @param {T[]} items
 * @param {(item: T) => HTMLElement} render
 * @param {string} emptyKey
 */
function listOrEmpty(items, render, emptyKey) {
  if (items.length === 0) return h('p', { class: 'empty', text: t(emptyKey) });
  return h('ul', { class: 'plain-list' }, items.map(render));
}

/**
 * @param {Ctx} ctx
 * @param {Sheet} sheet
 * @param {SheetEntry} p
 */
function buildSheetEntry(ctx, sheet, p) {
  const name = fullName(p);
  const reload = () => openSheet(ctx, sheet.session.id, true);
  const objectives = listOrEmpty(p.objectives, (o) => h('li', { 'data-objective': o.id },
    h('span', { class: 'text', text: o.body }), ' ',
    editButton(ctx, t('sheet.editObjective'), o.body, (body) => editObjective(o.id, body), reload)),
  'sheet.noObjectives');
  const notes = listOrEmpty(p.notes, (n) => h('li', { 'data-note': n.id },
    h('span', { class: 'text', text: n.body }),
    h('span', { class: 'muted', text: ` — ${n.author}, ${formatDateTime(n.written_at, ctx.lang())} ` }),
    n.mine ? editButton(ctx, t('sheet.editNote'), n.body, (body) => editProgressNote(n.id, body), reload) : null),
  'sheet.noNotes');
  const questions = listOrEmpty(p.questions, (q) => h('li', {},
    h('span', { text: q.text }), h('span', { class: 'muted', text: ` — ${formatDateTime(q.asked_at, ctx.lang())}` })),
  'sheet.noQuestions');
  const presence = h('input', { type: 'checkbox', class: 'attendance-toggle', checked: p.present,
    'aria-label': t('sheet.presentLabel', { name }) });
  presence.addEventListener('change', async () => {
    try {
      await setAttendance(sheet.session.id, p.participant_id, presence.checked);
      ctx.setStatus(presence.checked ? t('sheet.markedPresent', { name }) : t('sheet.markedAbsent', { name }));
      await reload();
    } catch (err) {
      presence.checked = !presence.checked;
      ctx.showError(err);
    }
  });
  return h('article', { class: 'card sheet-entry', 'data-participant': p.participant_id },
    h('h3', { text: name }),
    h('label', { class: 'inline-check' }, presence, ' ', t('sheet.present')),
    h('p', { class: 'muted attendance', text: t('sheet.attended', { attended: p.attended, past: sheet.past_sessions }) }),
    h('h4', { text: t('sheet.objectives') }), objectives,
    addForm(ctx, 'objective', name, (body) => addObjective(p.participant_id, body), reload),
    h('h4', { text: t('sheet.notes') }), notes,
    addForm(ctx, 'note', name, (body) => addProgressNote(p.participant_id, body), reload),
    h('h4', { text: t('sheet.questions') }), questions);
}

/**
 * @param {Ctx} ctx
 * @param {'objective' | 'note'} kind
 * @param {string} name
 * @param {(body: string) => Promise<unknown>} save
 * @param {() => Promise<void>} reload
 */
function addForm(ctx, kind, name, save, reload) {
  const area = h('textarea', { class: `${kind}-body`, rows: '2', maxlength: '4000',
    'aria-label': t(kind === 'note' ? 'sheet.noteLabel' : 'sheet.objectiveLabel', { name }) });
  const form = h('form', { class: `inline-form ${kind}-form` }, area,
    h('button', { type: 'submit', class: `btn btn-small add-${kind}`,
      text: t(kind === 'note' ? 'sheet.add.note' : 'sheet.add.objective') }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await save(area.value);
      ctx.setStatus(t(kind === 'note' ? 'sheet.saved.note' : 'sheet.saved.objective'));
      await reload();
    } catch (err) {
      ctx.showError(err);
    }
  });
  return form;
}

/**
 * @param {Ctx} ctx
 * @param {string} labelText
 * @param {string} current
 * @param {(body: string) => Promise<unknown>} save
 * @param {() => Promise<void>} reload
 */
function editButton(ctx, labelText, current, save, reload) {
  const button = h('button', { type: 'button', class: 'btn btn-small edit', text: labelText });
  button.addEventListener('click', () => {
    const area = h('textarea', { rows: '2', maxlength: '4000', 'aria-label': labelText, value: current });
    const form = h('form', { class: 'inline-form edit-form' }, area,
      h('button', { type: 'submit', class: 'btn btn-small save-edit', text: t('save') }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await save(area.value);
        ctx.setStatus(t('saved'));
        await reload();
      } catch (err) {
        ctx.showError(err);
      }
    });
    button.replaceWith(form);
    focus(area);
  });
  return button;
}

// ---------------------------------------------------------------- reports

/**
 * @param {Ctx} ctx
 * @param {string} sessionId
 */
async function runImport(ctx, sessionId) {
  const box = $('import-result');
  const dayFirst = Boolean($('import-day-first')?.checked);
  try {
    const result = await importReport(sessionId, dayFirst, t('dialog.importReport'));
    ctx.clearError();
    if (!result.opened || !result.summary) {
      ctx.setStatus(t('import.cancelled'));
      return;
    }
    const summary = result.summary;
    ctx.setStatus(t('import.done', { matched: summary.matched, rows: summary.rows }));
    await renderImport(ctx, box, sessionId, summary);
  } catch (err) {
    const error = asUiError(err);
    if (error.code !== 'invalid_input') {
      ctx.showError(err);
      return;
    }
    // A malformed file: nothing was imported; the line, when the core names it.
    const line = error.details.line;
    box.replaceChildren(h('p', { class: 'result refused', id: 'import-error',
      text: line ? t('import.failedLine', { line }) : t('import.failedShort') }));
    box.scrollIntoView({ block: 'start' });
    ctx.setStatus(t('import.failedShort'));
  }
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} box
 * @param {string} sessionId
 * @param {import('./bindings').ImportSummary} summary
 */
async function renderImport(ctx, box, sessionId, summary) {
  const rows = await unmatchedRows(sessionId);
  /** @type {import('./bindings').ParticipantRow[]} */
  let people = [];
  try {
    people = await listParticipants(null);
  } catch {
    people = [];
  }
  const head = h('p', { id: 'import-summary', text: t('import.summary', {
    kind: label('import.kind', summary.kind), rows: summary.rows, matched: summary.matched,
    duplicates: summary.duplicates, unmatched: summary.unmatched.length,
  }) });
  const list = rows.length === 0 ? h('p', { class: 'empty', text: t('import.noUnmatched') })
    : h('table', { id: 'unmatched', class: 'data', 'aria-label': t('import.unmatchedLabel') },
      headerRow([t('import.line'), t('col.name'), t('col.email'), t('col.when'), t('col.decision')]),
      h('tbody', {}, rows.map((r) => {
        const choice = h('select', { class: 'match-select', 'aria-label': t('import.matchFor', { line: r.line }) },
          h('option', { value: '', text: t('import.choose') }),
          people.map((p) => h('option', { value: p.id, text: `${fullName(p)} — ${p.email}` })));
        /** @param {string | null} participantId */
        const resolve = async (participantId) => {
          try {
            await resolveUnmatched(r.id, participantId);
            ctx.setStatus(participantId ? t('import.matched') : t('import.discarded'));
            await renderImport(ctx, box, sessionId, summary);
          } catch (err) {
            ctx.showError(err);
          }
        };
        return h('tr', { 'data-id': r.id },
          h('td', { class: 'num', text: String(r.line) }), h('td', { text: r.name }), h('td', { text: r.email }),
          h('td', { class: 'nowrap', text: formatDateTime(r.starts_at, ctx.lang()) }),
          h('td', { class: 'decision' }, choice,
            h('button', { type: 'button', class: 'btn btn-small match-unmatched', text: t('import.match'),
              onClick: () => { if (choice.value) resolve(choice.value); } }),
            h('button', { type: 'button', class: 'btn btn-small discard-unmatched', text: t('import.discard'),
              onClick: () => resolve(null) })));
      })));
  box.replaceChildren(head, h('h3', { text: t('import.unmatchedTitle') }), list);
  box.scrollIntoView({ block: 'start' });
}
