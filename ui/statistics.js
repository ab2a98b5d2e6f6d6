// @ts-check
// The "Statistiques" tab (issue 16, POL-11, POL-12): the months published,
// latest first, and for one month each table as a chart (charts.js) with
// its numbers in a table beside it. A hidden cell is "< 5", explained by the
// footnote; a hidden bar is a marker, never a length. What is published, and
// what a trainer reads (the funnels of their groups), is the core's
// decision. The CSV export goes through the native dialog.

import { statisticsMonths, statisticsMonth, statisticsExport } from './commands.js';
import { t, label, getLang } from './i18n.js';
import { h, headerRow } from './dom.js';
import { localeFor, formatNumber } from './format.js';
import { barChart, funnelChart } from './charts.js';
import { SYNCED_EVENT } from './sync.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').Release} Release */
/** @typedef {import('./bindings').MonthTables} MonthTables */
/** @typedef {import('./bindings').Funnel} Funnel */
/** @typedef {import('./bindings').StepRow} StepRow */
/** @typedef {import('./bindings').FormatRow} FormatRow */
/** @typedef {import('./bindings').Rate} Rate */
/** @typedef {import('./charts.js').Bar} Bar */

/** What a hidden cell shows (the core's export writes the same). */
const HIDDEN = '< 5';
const FOOTNOTE = 'statistics-footnote';

/**
 * @typedef {{ months: Release[] | null, month: string | null, tables: MonthTables | null,
 *   programme: string | null, loading: boolean, failed: boolean }} StatsState
 */

/**
 * @param {Ctx} ctx
 * @returns {StatsState}
 */
function state(ctx) {
  if (!ctx.data.statistics) {
    ctx.data.statistics = { months: null, month: null, tables: null, programme: null, loading: false, failed: false };
  }
  return ctx.data.statistics;
}

/** The signed-in workspace whose tab reloads after a sync round (a new release). */
let syncedCtx = /** @type {Ctx | null} */ (null);
window.addEventListener(SYNCED_EVENT, () => {
  if (syncedCtx && document.getElementById('statistics-panel') && !state(syncedCtx).loading) {
    load(syncedCtx, state(syncedCtx).month);
  }
});

/** @param {Ctx} ctx */
const isTrainer = (ctx) => ctx.role === 'trainer';

/** @param {Ctx} ctx */
export function buildStatisticsPanel(ctx) {
  syncedCtx = ctx;
  const s = state(ctx);
  const body = h('div', { id: 'statistics-body', class: 'stack' });
  const panel = h('div', { class: 'panel stack', id: 'statistics-panel' },
    h('p', { class: 'muted', text: t(isTrainer(ctx) ? 'statistics.helpTrainer' : 'statistics.help') }), body);
  fill(ctx, body);
  if (s.months === null && !s.loading && !s.failed) load(ctx, null);
  return panel;
}

/**
 * The months, then `wanted` (or the latest) month's tables.
 * @param {Ctx} ctx
 * @param {string | null} wanted
 */
async function load(ctx, wanted) {
  const s = state(ctx);
  s.loading = true;
  try {
    const months = await statisticsMonths();
    const month = months.some((m) => m.month === wanted) ? wanted : (months[0]?.month ?? null);
    s.months = months;
    s.month = month;
    s.tables = month ? await statisticsMonth(month) : null;
    s.failed = false;
  } catch (err) {
    s.failed = true;
    ctx.showError(err);
  } finally {
    s.loading = false;
  }
  refill(ctx);
}

/** @param {Ctx} ctx */
function refill(ctx) {
  const body = document.getElementById('statistics-body');
  if (body) fill(ctx, body);
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} body
 */
function fill(ctx, body) {
  const s = state(ctx);
  if (s.months === null) {
    body.replaceChildren(h('p', { class: 'empty', text: s.failed ? t('loadFailed') : t('loading') }));
    return;
  }
  if (s.months.length === 0) {
    body.replaceChildren(h('p', { id: 'statistics-empty', class: 'empty', text: t('statistics.empty') }));
    return;
  }
  const tables = s.tables;
  const content = !tables ? [h('p', { class: 'empty', text: t('loading') })]
    : isTrainer(ctx) ? trainerView(tables) : officeView(ctx, tables);
  const footnote = tables && anyHidden(tables)
    ? [h('p', { id: FOOTNOTE, class: 'footnote' }, h('strong', { text: HIDDEN }), ` — ${t('statistics.footnote')}`)] : [];
  body.replaceChildren(toolbar(ctx, s.months), ...content, ...footnote);
}

/**
 * The month selector (latest first) and the export.
 * @param {Ctx} ctx
 * @param {Release[]} months
 */
function toolbar(ctx, months) {
  const s = state(ctx);
  const chooser = h('select', { id: 'statistics-month' },
    months.map((m) => h('option', { value: m.month, text: monthLabel(m.month), selected: m.month === s.month })));
  chooser.addEventListener('change', async () => {
    s.month = chooser.value;
    s.tables = null;
    s.programme = null;
    refill(ctx);
    try {
      s.tables = await statisticsMonth(chooser.value);
      ctx.clearError();
    } catch (err) {
      ctx.showError(err);
    }
    refill(ctx);
    document.getElementById('statistics-month')?.focus();
  });
  const result = h('p', { id: 'statistics-export-result', class: 'result', role: 'status' });
  const exportButton = h('button', { type: 'button', id: 'statistics-export', class: 'btn', text: t('statistics.export'),
    onClick: async () => {
      if (!s.month) return;
      try {
        const done = await statisticsExport(s.month, t('statistics.exportDialog'), getLang());
        ctx.clearError();
        result.textContent = done.saved ? t('statistics.exported', { rows: done.rows }) : t('export.cancelled');
        ctx.setStatus(result.textContent);
      } catch (err) {
        ctx.showError(err);
      }
    } });
  return h('div', { class: 'toolbar', id: 'statistics-toolbar' },
    h('label', { for: 'statistics-month', text: t('statistics.month') }), chooser, exportButton, result);
}

/** @param {string} month `YYYY-MM` */
function monthLabel(month) {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(localeFor(getLang()), { month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(year, number - 1, 1)));
}

/** @param {number | null} value */
function figureText(value) {
  return value === null ? HIDDEN : formatNumber(value, getLang());
}

/**
 * A table cell for a figure; a hidden one points at the footnote.
 * @param {number | null} value
 */
function figureCell(value) {
  return value === null
    ? h('td', { class: 'num hidden-cell', 'aria-describedby': FOOTNOTE, text: HIDDEN })
    : h('td', { class: 'num', text: figureText(value) });
}

/** @param {StepRow} step */
function stepLabel(step) {
  return step.session !== null ? t('statistics.step.session', { n: step.session }) : label('statistics.step', step.step);
}

/** @param {MonthTables} tables */
function anyHidden(tables) {
  return tables.sections.some((r) => r.hidden)
    || [...tables.programmes, ...tables.groups].some((f) => f.steps.some((r) => r.hidden))
    || tables.formats.some((f) => f.measures.some((m) => m.hidden));
}

/**
 * What a chart shows, in words: its bars, the largest, and how many are hidden.
 * @param {Bar[]} bars
 */
function summary(bars) {
  const shown = bars.filter((b) => b.value !== null);
  const top = shown.reduce((best, b) => (best === null || (b.value ?? 0) > (best.value ?? 0) ? b : best),
    /** @type {Bar | null} */ (null));
  return t('statistics.summary', {
    count: bars.length, top: top ? top.label : t('none'), value: top ? top.text : t('none'),
    hidden: bars.length - shown.length,
  });
}

/**
 * A table with its chart beside it, under a heading.
 * @param {string} id
 * @param {string} heading
 * @param {Element[]} charts
 * @param {HTMLElement} table
 * @param {HTMLElement | null} [before] A control above the figure (a chooser).
 */
function block(id, heading, charts, table, before = null) {
  return h('section', { id, class: 'stat-block', 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading`, text: heading }), before,
    h('div', { class: 'stat-figure' }, h('div', { class: 'stat-charts' }, charts), h('div', { class: 'table-wrap' }, table)));
}

/**
 * The office's and the DPO's view: sections, funnels, formats.
 * @param {Ctx} ctx
 * @param {MonthTables} tables
 */
function officeView(ctx, tables) {
  return [sectionsBlock(tables), funnelBlock(ctx, tables), formatsBlock(tables)].filter((b) => b !== null);
}

/** @param {MonthTables} tables */
function sectionsBlock(tables) {
  if (tables.sections.length === 0) return null;
  /** @type {Bar[]} */
  const bars = tables.sections.map((r) => ({ label: r.section, value: r.value, text: figureText(r.value) }));
  const title = t('statistics.sections');
  const table = h('table', { id: 'statistics-sections-table', class: 'data', 'aria-label': title },
    headerRow([t('statistics.section'), t('statistics.people')]),
    h('tbody', {}, tables.sections.map((r) => h('tr', { 'data-hidden': String(r.hidden) },
      h('th', { scope: 'row', text: r.section }), figureCell(r.value)))));
  return block('statistics-sections', title, [barChart({ id: 'chart-sections', title, summary: summary(bars), bars })], table);
}

/**
 * A funnel's bars, in the order of its steps.
 * @param {Funnel} funnel
 * @returns {Bar[]}
 */
function funnelBars(funnel) {
  return funnel.steps.map((step) => ({ label: stepLabel(step), value: step.value, text: figureText(step.value) }));
}

/**
 * A funnel's chart.
 * @param {string} id
 * @param {string} title
 * @param {Funnel} funnel
 */
function funnelOf(id, title, funnel) {
  const bars = funnelBars(funnel);
  return funnelChart({ id, title, summary: summary(bars), bars });
}

/**
 * The drop-out funnel of one programme (chosen), its groups' figures beside it.
 * @param {Ctx} ctx
 * @param {MonthTables} tables
 */
function funnelBlock(ctx, tables) {
  if (tables.programmes.length === 0) return null;
  const s = state(ctx);
  const chosen = tables.programmes.find((p) => p.id === s.programme) || tables.programmes[0];
  const chooser = h('select', { id: 'statistics-programme' },
    tables.programmes.map((p) => h('option', { value: p.id, text: p.name, selected: p.id === chosen.id })));
  chooser.addEventListener('change', () => {
    s.programme = chooser.value;
    refill(ctx);
    document.getElementById('statistics-programme')?.focus();
  });
  const groups = tables.groups.filter((g) => g.programme_id === chosen.id);
  const title = t('statistics.funnelOf', { name: chosen.name });
  const columns = [chosen, ...groups];
  const table = h('table', { id: 'statistics-funnel-table', class: 'data', 'aria-label': title },
    headerRow([t('statistics.step'), `${chosen.name} (${t('statistics.total')})`, ...groups.map((g) => g.name)]),
    h('tbody', {}, chosen.steps.map((step) => h('tr', {},
      h('th', { scope: 'row', text: stepLabel(step) }),
      columns.map((funnel) => figureCell(funnel.steps.find((r) => r.step === step.step)?.value ?? null))))));
  const picker = h('div', { class: 'field inline-field' }, h('label', { for: 'statistics-programme', text: t('statistics.programme') }), chooser);
  return block('statistics-funnel', t('statistics.funnel'), [funnelOf('chart-funnel', title, chosen)], table, picker);
}

/**
 * A rate as the window writes it.
 * @param {Rate} rate
 * @param {boolean} percent
 * @returns {{ value: number | null, text: string }}
 */
function rateFigure(rate, percent) {
  if (rate.hidden) return { value: null, text: t('statistics.rateHidden') };
  if (rate.value === null) return { value: 0, text: t('none') };
  const shown = percent ? rate.value * 100 : rate.value;
  const text = new Intl.NumberFormat(localeFor(getLang()), percent
    ? { style: 'percent', maximumFractionDigits: 0 } : { maximumFractionDigits: 2 }).format(rate.value);
  return { value: shown, text };
}

/** @param {MonthTables} tables */
function formatsBlock(tables) {
  if (tables.formats.length === 0) return null;
  /** @type {[string, (f: FormatRow) => Rate, boolean][]} */
  const rates = [
    ['attendance', (f) => f.attendance_rate, true],
    ['questions', (f) => f.questions_per_attendee, false],
    ['completion', (f) => f.completion_rate, true],
  ];
  const charts = rates.map(([key, of, percent]) => {
    const bars = tables.formats.map((f) => ({ label: label('statistics.format', f.format), ...rateFigure(of(f), percent) }));
    const title = t(`statistics.rate.${key}`);
    // Three charts in one block: each says which rate it draws.
    return h('div', { class: 'stat-chart' }, h('h3', { class: 'chart-caption', 'aria-hidden': 'true', text: title }),
      barChart({ id: `chart-rate-${key}`, title, summary: summary(bars), bars, max: percent ? 100 : undefined }));
  });
  const measures = tables.formats[0].measures.map((m) => m.measure);
  const title = t('statistics.formats');
  const table = h('table', { id: 'statistics-formats-table', class: 'data', 'aria-label': title },
    headerRow([t('statistics.measure'), ...tables.formats.map((f) => label('statistics.format', f.format))]),
    h('tbody', {},
      measures.map((measure) => h('tr', {}, h('th', { scope: 'row', text: label('statistics.measure', measure) }),
        tables.formats.map((f) => figureCell(f.measures.find((m) => m.measure === measure)?.value ?? null)))),
      rates.map(([key, of, percent]) => h('tr', { class: 'rate-row' }, h('th', { scope: 'row', text: t(`statistics.rate.${key}`) }),
        tables.formats.map((f) => {
          const rate = of(f);
          return h('td', { class: rate.hidden ? 'num hidden-cell' : 'num', 'aria-describedby': rate.hidden ? FOOTNOTE : null,
            text: rateFigure(rate, percent).text });
        })))));
  return block('statistics-formats', title, charts, table);
}

/**
 * A trainer's view: the funnel of each group they lead ("Mes groupes").
 * @param {MonthTables} tables
 */
function trainerView(tables) {
  const heading = h('h2', { id: 'statistics-groups-heading', text: t('statistics.myGroups') });
  if (tables.groups.length === 0) {
    return [h('section', { id: 'statistics-groups', 'aria-labelledby': 'statistics-groups-heading' }, heading,
      h('p', { class: 'empty', text: t('statistics.noGroups') }))];
  }
  return [h('section', { id: 'statistics-groups', 'aria-labelledby': 'statistics-groups-heading' }, heading,
    tables.groups.map((group, i) => {
      const title = t('statistics.funnelOf', { name: group.name });
      const table = h('table', { class: 'data group-funnel-table', 'data-group': group.id, 'aria-label': title },
        headerRow([t('statistics.step'), t('statistics.people')]),
        h('tbody', {}, group.steps.map((step) => h('tr', {},
          h('th', { scope: 'row', text: stepLabel(step) }), figureCell(step.value)))));
      return h('div', { class: 'stat-block', 'data-group': group.id },
        h('h3', { text: group.programme ? `${group.name} — ${group.programme}` : group.name }),
        h('div', { class: 'stat-figure' }, h('div', { class: 'stat-charts' }, funnelOf(`chart-group-${i}`, title, group)),
          h('div', { class: 'table-wrap' }, table)));
    }))];
}
