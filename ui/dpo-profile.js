// @ts-check
// The DPO's actions on a profile (consents POL-7, unsubscribe POL-26, minor
// discovered POL-35) and the erasure certificate shown after an erasure
// (POL-25), whose page-level check goes on in the background (`task` events).

import { recordConsent, unsubscribeParticipant, eraseParticipant, saveCertificate } from './commands.js';
import { t, label, formatCount } from './i18n.js';
import { h, $, focus, headerRow, field, select, button } from './dom.js';
import { formatDateTime, formatWhen } from './format.js';
import { attempt, errorText } from './errors.js';
import { confirmInPage } from './confirm.js';
import { vocab } from './vocab.js';
import { watchTask, nameTask } from './tasks.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').Erased} Erased */

/**
 * The certificate's summary as the core sends it (a JSON document; see
 * domain::access_export::certificate): category titles, counts, dates, rule ids.
 * @typedef {{ category_key?: string, title_fr?: string, count?: number, until?: string, rule_id?: string }} Counted
 * @typedef {{ certificate_ref?: string, deleted?: Counted[], anonymised?: Counted[], kept?: Counted[],
 *   residual_check?: { occurrences?: number } }} CertificateSummary
 */

/**
 * The certificate's summary, the state of its page-level check and a button
 * to save it, in `target` (or the request's #erasure-result).
 * @param {Ctx} ctx
 * @param {Erased} outcome
 * @param {HTMLElement | null} target
 */
export function showErasure(ctx, outcome, target) {
  const box = target || $('erasure-result');
  if (!box) return;
  const s = /** @type {CertificateSummary} */ (outcome.summary || {});
  const l = ctx.lang();
  const ref = s.certificate_ref || '';
  const occurrences = formatCount(Number(s.residual_check?.occurrences ?? 0));
  /** @param {Counted} c */
  const title = (c) => c.title_fr || c.category_key || '';
  const lines = [
    ...(s.deleted || []).map((d) => t('rq.deleted', { title: title(d), count: d.count ?? 0 })),
    ...(s.anonymised || []).map((a) => t('rq.anonymised', { title: title(a), count: a.count ?? 0 })),
    ...(s.kept || []).map((k) => t('rq.kept', {
      title: title(k), count: k.count ?? 0, date: formatWhen(k.until, l), rule: k.rule_id || '',
    })),
  ];
  const deep = h('p', { id: 'erasure-deep', class: 'muted' });
  box.replaceChildren(
    h('h3', { text: t('rq.certificate') }),
    h('p', { id: 'erasure-summary', text: t('rq.erased', { ref, occurrences }) }),
    h('p', { id: 'erasure-residual', text: t('rq.residualTargeted', { occurrences }) }),
    deep,
    h('ul', { class: 'entries' }, lines.map((line) => h('li', { text: line }))),
    button('save-certificate', t('rq.saveCertificate'), async () => {
      const saved = await attempt(ctx, () => saveCertificate(outcome.certificate_id, t('dialog.certificate')));
      if (saved) ctx.setStatus(t(saved.saved ? 'rq.certificateSaved' : 'rq.cancelled'));
    }));
  const task = outcome.deep_check_task;
  if (task) {
    // The whole file is decrypted and read in the background: the window stays usable.
    nameTask(task, ref);
    const stop = watchTask(task, (event) => {
      if (!deep.isConnected && event.state !== 'running') {
        stop();
        return;
      }
      deep.dataset.state = event.state;
      deep.className = event.state === 'failed' ? 'result refused' : (event.state === 'done' ? 'result' : 'muted');
      deep.textContent = event.state === 'running' ? t('rq.deepRunning')
        : event.state === 'failed' ? t('rq.deepFailed', { error: errorText(event.error) })
          : t('rq.deepDone', { occurrences: formatCount(event.occurrences), pages: formatCount(event.pages) });
      if (event.state !== 'running') ctx.setStatus(deep.textContent);
    });
  } else {
    deep.hidden = true;
  }
  box.classList.add('form-card');
  box.scrollIntoView({ block: 'start' });
  focus(box);
  ctx.setStatus(t('rq.erased', { ref, occurrences }));
}

/**
 * The DPO's blocks on a profile: consents with their history, unsubscribe,
 * objections, and the "minor discovered" erasure. `onErased(outcome)` runs
 * after an erasure (the profile no longer exists).
 * @param {Ctx} ctx
 * @param {import('./bindings').Profile} profile
 * @param {() => void} onChanged
 * @param {(outcome: Erased) => void} onErased
 * @returns {HTMLElement[]}
 */
export function profileActions(ctx, profile, onChanged, onErased) {
  const prefs = profile.preferences;
  if (!prefs) return [];
  const l = ctx.lang();
  const source = select(vocab().consent_sources, (s) => label('source', s));
  const chosenSource = () => /** @type {import('./bindings').ConsentSource} */ (source.value);
  const rows = prefs.current.map(([purpose, state]) => {
    const name = label('consent', purpose);
    const stateText = state === null ? t('prefs.never') : t(state ? 'prefs.yes' : 'prefs.no');
    const toggle = h('button', {
      type: 'button', class: 'btn btn-small consent-toggle', 'data-purpose': purpose,
      text: t(state ? 'prefs.withdraw' : 'prefs.give'),
      'aria-label': t(state ? 'prefs.withdrawLabel' : 'prefs.giveLabel', { purpose: name }),
      onClick: async () => {
        const done = await attempt(ctx, () => recordConsent(profile.id, purpose, !state, chosenSource()));
        if (done) {
          ctx.setStatus(t('prefs.saved'));
          onChanged();
        }
      },
    });
    return h('tr', { 'data-purpose': purpose }, h('td', { text: name }), h('td', { text: stateText }),
      h('td', { class: 'actions' }, toggle));
  });
  const history = prefs.history.length === 0 ? h('p', { class: 'empty', text: t('prefs.historyEmpty') })
    : h('ul', { class: 'entries', id: 'consent-history' }, prefs.history.map((e) => h('li', {
      text: t('prefs.event', { purpose: label('consent', e.purpose), state: t(e.granted ? 'prefs.yes' : 'prefs.no'),
        date: formatDateTime(e.recorded_at, l), source: label('source', e.source) }) })));
  const flags = h('dl', { class: 'facts' },
    h('dt', { text: t('prefs.marketing') }),
    h('dd', { id: 'marketing-state', text: t(prefs.marketing_opt_out ? 'prefs.unsubscribedYes' : 'prefs.unsubscribedNo') }),
    h('dt', { text: t('prefs.objectsSuggestions') }), h('dd', { text: t(prefs.objects_to_suggestions ? 'yes' : 'no') }),
    h('dt', { text: t('prefs.objectsStatistics') }), h('dd', { text: t(prefs.objects_to_statistics ? 'yes' : 'no') }));
  const unsubscribe = prefs.marketing_opt_out ? null : button('profile-unsubscribe', t('prefs.unsubscribe'), async () => {
    const done = await attempt(ctx, () => unsubscribeParticipant(profile.id, chosenSource(), null));
    if (done) {
      ctx.setStatus(t('rq.unsubscribed'));
      onChanged();
    }
  });
  const minor = h('section', { class: 'profile-block danger-zone' },
    h('h3', { text: t('minor.title') }), h('p', { class: 'muted', text: t('minor.help') }),
    button('erase-minor', t('minor.erase'), async () => {
      if (!(await confirmInPage(t('minor.confirm'), { confirmLabel: t('minor.erase') }))) return;
      const outcome = await attempt(ctx, () => eraseParticipant(profile.id, 'minor_discovered', null, true));
      if (outcome) onErased(outcome);
    }, 'btn-danger'));
  return [
    h('section', { class: 'profile-block', id: 'preferences' }, h('h3', { text: t('prefs.title') }),
      field('consent-source', t('prefs.source'), source),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data compact', id: 'consents', 'aria-label': t('prefs.title') },
        headerRow([t('col.kind'), t('col.status'), t('col.actions')]), h('tbody', {}, rows))),
      flags, unsubscribe, h('h4', { text: t('prefs.history') }), history),
    minor,
  ];
}
