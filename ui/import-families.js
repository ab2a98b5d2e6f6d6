// @ts-check
// Issue 15: spreadsheet import. The office's spreadsheet of the families it
// already follows (POL-7, POL-35), as a wizard in a dialog: choose the file
// (native dialog) → choose the sheet → map the columns (suggested from the
// headers or saved last time, editable) → preview, a dry run that lists every
// problem by row and column → import, all or nothing, with progress. The
// rules are the core's: this module shows what it answers.

import {
  openFamiliesFile, familiesSheet, previewFamiliesImport, applyFamiliesImport, closeFamiliesFile,
} from './commands.js';
import { t, tc, label, formatCount } from './i18n.js';
import { h, headerRow, button, focus } from './dom.js';
import { errorText } from './errors.js';
import { confirmInPage } from './confirm.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').FamiliesFile} FamiliesFile */
/** @typedef {import('./bindings').SheetLayout} SheetLayout */
/** @typedef {import('./bindings').ImportPreview} ImportPreview */
/** @typedef {import('./bindings').ImportCounts} ImportCounts */
/** @typedef {import('./bindings').ImportProgress} ImportProgress */
/** @typedef {import('./bindings').Target} Target */

/**
 * The wizard's state while the dialog is open.
 * @typedef {object} Wizard
 * @property {Ctx} ctx
 * @property {HTMLDialogElement} dialog
 * @property {HTMLElement} body
 * @property {FamiliesFile | null} file
 * @property {SheetLayout | null} layout
 * @property {Target[]} mapping
 * @property {boolean} busy
 */

/**
 * The button that opens the wizard (the registrations tab shows it).
 * @param {Ctx} ctx
 */
export function importFamiliesButton(ctx) {
  return button('import-families', t('familiesImport.open'), () => openWizard(ctx));
}

/** @param {Ctx} ctx */
function openWizard(ctx) {
  document.getElementById('import-dialog')?.remove();
  const body = h('div', { id: 'import-body', class: 'stack' });
  const dialog = h('dialog', { id: 'import-dialog', class: 'import-dialog', 'aria-labelledby': 'import-title' },
    h('div', { class: 'import-head' },
      h('h2', { id: 'import-title', text: t('familiesImport.title') }),
      button('import-cancel', t('familiesImport.close'), () => closeWizard(wizard))),
    body);
  /** @type {Wizard} */
  const wizard = { ctx, dialog, body, file: null, layout: null, mapping: [], busy: false };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (!wizard.busy) closeWizard(wizard);
  });
  document.body.append(dialog);
  if (typeof dialog.showModal === 'function') dialog.showModal();
  else dialog.setAttribute('open', '');
  showStart(wizard);
}

/** @param {Wizard} wizard */
async function closeWizard(wizard) {
  if (wizard.busy) return;
  const file = wizard.file;
  if (wizard.dialog.open) wizard.dialog.close();
  wizard.dialog.remove();
  focus(document.getElementById('import-families'));
  if (file) {
    try {
      await closeFamiliesFile(file.file_id);
    } catch {
      // The file is forgotten at the next one anyway.
    }
  }
}

/**
 * Replaces the dialog's content with a step.
 * @param {Wizard} wizard
 * @param {string} step
 * @param {...(Node | null)} nodes
 */
function showStep(wizard, step, ...nodes) {
  wizard.body.dataset.step = step;
  wizard.body.replaceChildren(...nodes.filter((n) => n !== null));
  const heading = wizard.body.querySelector('h3');
  if (heading instanceof HTMLElement) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/**
 * An error said inside the dialog (the window's alert is under the modal).
 * @param {Wizard} wizard
 * @param {unknown} err
 */
function sayError(wizard, err) {
  wizard.body.querySelector('#import-error')?.remove();
  const text = errorText(err);
  wizard.body.prepend(h('p', { id: 'import-error', class: 'alert', role: 'alert', text }));
  wizard.ctx.setStatus(text);
}

/**
 * Runs `work` with the wizard busy (buttons disabled); errors are said.
 * @template T
 * @param {Wizard} wizard
 * @param {() => Promise<T>} work
 * @returns {Promise<T | undefined>}
 */
async function busy(wizard, work) {
  wizard.busy = true;
  const buttons = [...wizard.dialog.querySelectorAll('button')].map((b) => /** @type {HTMLButtonElement} */ (b));
  for (const b of buttons) b.disabled = true;
  wizard.body.querySelector('#import-error')?.remove();
  try {
    return await work();
  } catch (err) {
    sayError(wizard, err);
    return undefined;
  } finally {
    wizard.busy = false;
    for (const b of buttons) b.disabled = false;
  }
}

/** @param {Wizard} wizard */
function showStart(wizard) {
  showStep(wizard, 'start',
    h('h3', { text: t('familiesImport.step.file') }),
    h('p', { text: t('familiesImport.help') }),
    h('p', { class: 'muted', text: t('familiesImport.formats') }),
    h('div', { class: 'actions' }, button('import-choose', t('familiesImport.choose'), () => chooseFile(wizard), 'btn-primary')));
}

/** @param {Wizard} wizard */
async function chooseFile(wizard) {
  const file = await busy(wizard, () => openFamiliesFile(t('familiesImport.dialogTitle')));
  if (file === undefined) return;
  if (file === null) {
    wizard.ctx.setStatus(t('familiesImport.cancelled'));
    return;
  }
  if (wizard.file) closeFamiliesFile(wizard.file.file_id).catch(() => {});
  wizard.file = file;
  showSheets(wizard);
}

/** @param {Wizard} wizard */
function showSheets(wizard) {
  const file = /** @type {FamiliesFile} */ (wizard.file);
  const choice = h('select', { id: 'import-sheet' },
    file.sheets.map((s) => h('option', {
      value: s.name,
      text: t('familiesImport.sheetOption', { name: s.name, rows: formatCount(s.rows), recognised: s.recognised }),
      selected: s.name === file.suggested_sheet,
    })));
  showStep(wizard, 'sheet',
    h('h3', { text: t('familiesImport.step.sheet') }),
    h('p', {}, t('familiesImport.fileLabel'), ' ', h('strong', { id: 'import-file', text: file.file_name }),
      ' ', h('span', { class: 'muted', text: `(${file.format.toUpperCase()})` })),
    h('div', { class: 'field' }, h('label', { for: 'import-sheet', text: t('familiesImport.sheet') }), choice),
    h('div', { class: 'actions' },
      button('import-back-file', t('familiesImport.back'), () => showStart(wizard)),
      button('import-sheet-next', t('familiesImport.next'), () => chooseSheet(wizard, choice.value), 'btn-primary')));
}

/**
 * @param {Wizard} wizard
 * @param {string} sheet
 */
async function chooseSheet(wizard, sheet) {
  const file = /** @type {FamiliesFile} */ (wizard.file);
  const layout = await busy(wizard, () => familiesSheet(file.file_id, sheet));
  if (!layout) return;
  wizard.layout = layout;
  wizard.mapping = [...layout.mapping];
  showMapping(wizard);
}

/** @param {Wizard} wizard */
function showMapping(wizard) {
  const layout = /** @type {SheetLayout} */ (wizard.layout);
  const rows = layout.columns.map((column, index) => {
    const choice = h('select', {
      class: 'import-target', 'data-column': column.letter,
      'aria-label': t('familiesImport.targetFor', { column: column.letter }),
      onChange: (/** @type {Event} */ event) => {
        wizard.mapping[index] = /** @type {Target} */ (/** @type {HTMLSelectElement} */ (event.target).value);
      },
    }, layout.targets.map((target) => h('option', {
      value: target, text: label('familiesImport.target', target), selected: target === wizard.mapping[index],
    })));
    return h('tr', { 'data-column': column.letter },
      h('td', { text: column.letter }),
      h('td', { text: column.label || t('familiesImport.noHeader') }),
      h('td', {}, choice));
  });
  showStep(wizard, 'mapping',
    h('h3', { text: t('familiesImport.step.mapping') }),
    h('p', { id: 'import-header-row', text: tc('familiesImport.headerFound', layout.data_rows, { row: layout.header_row, sheet: layout.sheet }) }),
    layout.saved ? h('p', { class: 'muted', id: 'import-saved', text: t('familiesImport.savedMapping') }) : null,
    h('p', { class: 'muted', text: t('familiesImport.mappingHelp') }),
    h('div', { class: 'table-wrap' }, h('table', { id: 'import-mapping', class: 'data' },
      headerRow([t('familiesImport.col.column'), t('familiesImport.col.header'), t('familiesImport.col.target')]),
      h('tbody', {}, rows))),
    h('div', { class: 'actions' },
      button('import-back-sheet', t('familiesImport.back'), () => showSheets(wizard)),
      button('import-preview', t('familiesImport.preview'), () => runPreview(wizard), 'btn-primary')));
}

/**
 * Shows `import-progress` events of `stage` for the opened file until the
 * returned function is called.
 * @param {Wizard} wizard
 * @param {string} stage
 * @param {HTMLProgressElement} bar
 * @param {HTMLElement} text
 * @returns {Promise<() => void>}
 */
async function followProgress(wizard, stage, bar, text) {
  const events = /** @type {any} */ (window).__TAURI__?.event;
  if (!events || typeof events.listen !== 'function') return () => {};
  const fileId = wizard.file?.file_id;
  const stop = await events.listen('import-progress', (/** @type {{ payload: ImportProgress }} */ message) => {
    const p = message.payload;
    if (!p || p.file_id !== fileId || p.stage !== stage) return;
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    text.textContent = t('familiesImport.progress', { done: formatCount(p.done), total: formatCount(p.total) });
  });
  return typeof stop === 'function' ? stop : () => {};
}

/**
 * A progress bar and its words, for a long step.
 * @param {string} what
 */
function progressNodes(what) {
  const bar = h('progress', { id: 'import-progress', max: '1', value: '0', 'aria-label': what });
  const text = h('p', { id: 'import-progress-text', class: 'muted', role: 'status', text: what });
  return { bar, text, node: h('div', { class: 'import-progress' }, bar, text) };
}

/** @param {Wizard} wizard */
async function runPreview(wizard) {
  const file = /** @type {FamiliesFile} */ (wizard.file);
  const layout = /** @type {SheetLayout} */ (wizard.layout);
  const progress = progressNodes(t('familiesImport.previewing'));
  wizard.body.append(progress.node);
  const stop = await followProgress(wizard, 'preview', progress.bar, progress.text);
  const preview = await busy(wizard, () => previewFamiliesImport(file.file_id, layout.sheet, wizard.mapping));
  stop();
  progress.node.remove();
  if (preview) showPreview(wizard, preview);
}

/**
 * The counts of a preview or an import.
 * @param {string} id
 * @param {ImportCounts} counts
 * @param {number | null} refused
 */
function countsList(id, counts, refused) {
  /** @type {[string, number][]} */
  const items = [
    ['rows', counts.rows],
    ['new_people', counts.new_people],
    ['known_people', counts.known_people],
    ['requests_added', counts.requests_added],
    ['already_requested', counts.already_requested],
  ];
  if (refused !== null) items.push(['refused_rows', refused]);
  return h('ul', { id, class: 'import-counts' },
    items.map(([key, value]) => h('li', { 'data-count': key, 'data-value': String(value) },
      tc(`familiesImport.count.${key}`, value))));
}

/**
 * @param {Wizard} wizard
 * @param {ImportPreview} preview
 */
function showPreview(wizard, preview) {
  const clean = preview.problems.length === 0 && preview.mapping_problems.length === 0;
  const mappingProblems = preview.mapping_problems.length === 0 ? null
    : h('ul', { id: 'import-mapping-problems', class: 'alert import-list' },
      preview.mapping_problems.map((p) => {
        const target = label('familiesImport.target', p.target);
        return h('li', { 'data-target': p.target, 'data-problem': p.problem,
          text: p.problem === 'required' ? t('familiesImport.mappingProblem.required', { target })
            : t('familiesImport.mappingProblem.other', { target }) });
      }));
  const problems = preview.problems.length === 0 ? null
    : h('div', { class: 'table-wrap' }, h('table', { id: 'import-problems', class: 'data' },
      headerRow([t('familiesImport.col.row'), t('familiesImport.col.column'), t('familiesImport.col.field'), t('familiesImport.col.problem')]),
      h('tbody', {}, preview.problems.map((p) => h('tr', { 'data-row': String(p.row), 'data-column': p.column || '' },
        h('td', { text: String(p.row) }),
        h('td', { text: p.column ? `${p.column}${p.header ? ` (${p.header})` : ''}` : t('none') }),
        h('td', { text: label('familiesImport.field', p.field) }),
        h('td', { text: label('familiesImport.problem', p.problem) }))))));
  const verdict = clean
    ? h('p', { id: 'import-ready', class: 'alert import-ok', text: tc('familiesImport.ready', preview.counts.rows) })
    : h('p', { id: 'import-blocked', class: 'alert', role: 'alert',
      text: preview.mapping_problems.length > 0 ? t('familiesImport.blockedMapping')
        : tc('familiesImport.blocked', preview.refused_rows, { problems: formatCount(preview.problems.length) }) });
  const apply = clean
    ? button('import-apply', tc('familiesImport.apply', preview.counts.rows), () => runApply(wizard, preview), 'btn-primary')
    : null;
  showStep(wizard, 'preview',
    h('h3', { text: t('familiesImport.step.preview') }),
    h('p', { class: 'muted', text: t('familiesImport.dryRun') }),
    verdict,
    countsList('import-counts', preview.counts, preview.refused_rows),
    mappingProblems,
    problems,
    h('div', { class: 'actions' },
      button('import-back-mapping', t('familiesImport.back'), () => showMapping(wizard)),
      apply));
  wizard.ctx.setStatus(verdict.textContent || '');
}

/**
 * @param {Wizard} wizard
 * @param {ImportPreview} preview
 */
async function runApply(wizard, preview) {
  const file = /** @type {FamiliesFile} */ (wizard.file);
  const layout = /** @type {SheetLayout} */ (wizard.layout);
  const sure = await confirmInPage(tc('familiesImport.confirm', preview.counts.rows, {
    new_people: formatCount(preview.counts.new_people),
    known_people: formatCount(preview.counts.known_people),
  }), { confirmLabel: t('familiesImport.confirmYes'), danger: false });
  if (!sure) return;
  const progress = progressNodes(t('familiesImport.applying'));
  wizard.body.append(progress.node);
  const stop = await followProgress(wizard, 'apply', progress.bar, progress.text);
  const counts = await busy(wizard, () => applyFamiliesImport(file.file_id, layout.sheet, wizard.mapping));
  stop();
  progress.node.remove();
  if (!counts) return;
  const done = h('p', { id: 'import-done', class: 'alert import-ok', role: 'status', text: tc('familiesImport.done', counts.rows) });
  showStep(wizard, 'done',
    h('h3', { text: t('familiesImport.step.done') }),
    done,
    countsList('import-result', counts, null),
    h('div', { class: 'actions' }, button('import-finish', t('familiesImport.close'), () => finish(wizard), 'btn-primary')));
  wizard.ctx.setStatus(done.textContent || '');
}

/** @param {Wizard} wizard */
async function finish(wizard) {
  await closeWizard(wizard);
  const data = wizard.ctx.data;
  if (data.registrations) data.registrations.items = null;
  wizard.ctx.rerender();
}
