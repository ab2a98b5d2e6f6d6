// @ts-check
// The participants tab: the list (with search) and one profile. A null
// section of a profile means "not permitted for this role" and is not
// rendered; an empty array is shown with an empty-state line.

import { listParticipants, participantProfile } from './commands.js';
import { t, tc, label, formatCount } from './i18n.js';
import { h, $, focus, headerRow, messageRow, fullName } from './dom.js';
import { formatDateTime, formatWhen } from './format.js';
import { profileActions, showErasure } from './dpo-profile.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').Profile} Profile */
/**
 * @typedef {object} ListOptions
 * @property {boolean} search A search field above the list.
 * @property {boolean} full Groups column and a button to open the profile.
 * @property {string} empty The key of the empty-state line.
 */

const SEARCH_DEBOUNCE_MS = 200;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let searchTimer;

export function freshParticipants() {
  return { items: /** @type {import('./bindings').ParticipantRow[] | null} */ (null), loading: false, failed: false, req: 0 };
}

/** Cancels a pending search (signing out). */
export function stopSearch() {
  clearTimeout(searchTimer);
}

/**
 * @param {Ctx} ctx
 * @param {ListOptions} options
 */
export function buildParticipantsPanel(ctx, options) {
  const data = ctx.data;
  const listView = h('div', { id: 'participants-view', class: 'stack' });
  if (options.search) {
    const input = h('input', {
      type: 'search', id: 'participant-search', autocomplete: 'off', spellcheck: 'false',
      placeholder: t('participants.searchPlaceholder'), value: data.query,
    });
    input.addEventListener('input', () => {
      data.query = input.value;
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => loadParticipants(ctx, options), SEARCH_DEBOUNCE_MS);
    });
    listView.append(h('div', { class: 'field search' },
      h('label', { for: 'participant-search', text: t('participants.search') }), input));
  }
  const columns = [t('col.name'), t('col.email')];
  if (options.full) columns.push(t('col.groups'), t('col.actions'));
  const table = h('table', { id: 'participants', class: 'data', 'aria-label': t('participants.label') },
    headerRow(columns), h('tbody'));
  listView.append(h('div', { class: 'table-wrap' }, table));

  const profile = h('section', { id: 'profile', class: 'profile', 'aria-labelledby': 'profile-title' });
  const showProfile = Boolean(options.full && data.profile);
  listView.hidden = showProfile;
  profile.hidden = !showProfile;
  if (showProfile) fillProfile(ctx, profile, data.profile);

  fillParticipantRows(ctx, table.tBodies[0], options);
  const list = data.participants;
  if (list.items === null && !list.loading && !list.failed) loadParticipants(ctx, options);
  return h('div', { class: 'panel' }, listView, profile);
}

/**
 * @param {Ctx} ctx
 * @param {HTMLTableSectionElement} tbody
 * @param {ListOptions} options
 */
function fillParticipantRows(ctx, tbody, options) {
  const list = ctx.data.participants;
  const columns = options.full ? 4 : 2;
  if (list.items === null) {
    tbody.replaceChildren(list.failed
      ? messageRow(columns, t('loadFailed'), () => { list.failed = false; loadParticipants(ctx, options); })
      : messageRow(columns, t('loading')));
    return;
  }
  if (list.items.length === 0) {
    const query = ctx.data.query.trim();
    tbody.replaceChildren(messageRow(columns, query ? t('participants.emptySearch', { query }) : t(options.empty)));
    return;
  }
  tbody.replaceChildren(...list.items.map((/** @type {import('./bindings').ParticipantRow} */ person) => {
    const name = fullName(person);
    const row = h('tr', { 'data-id': person.id },
      h('td', { text: name }),
      h('td', { text: person.email || t('none') }));
    if (options.full) {
      row.append(
        h('td', { text: person.groups.join(', ') || t('none') }),
        h('td', { class: 'actions' }, h('button', {
          type: 'button', class: 'btn btn-small open-profile',
          'aria-label': t('participants.openLabel', { name }), text: t('participants.open'),
          onClick: () => openProfile(ctx, person.id),
        })));
    }
    return row;
  }));
}

/**
 * @param {Ctx} ctx
 * @param {ListOptions} options
 */
async function loadParticipants(ctx, options) {
  const data = ctx.data;
  const list = data.participants;
  const req = ++list.req;
  list.loading = true;
  ctx.setStatus(t('loading'));
  try {
    const items = await listParticipants(data.query.trim() || null);
    if (req !== list.req || list !== data.participants) return;
    list.items = items;
    list.failed = false;
    ctx.clearError();
    ctx.setStatus(tc('participants.count', items.length));
  } catch (err) {
    if (req !== list.req || list !== data.participants) return;
    list.failed = list.items === null;
    ctx.showError(err);
  } finally {
    if (req === list.req) list.loading = false;
  }
  const tbody = document.querySelector('#participants tbody');
  if (tbody && list === ctx.data.participants) fillParticipantRows(ctx, /** @type {HTMLTableSectionElement} */ (tbody), options);
}

/**
 * @param {Ctx} ctx
 * @param {string} participantId
 */
async function openProfile(ctx, participantId) {
  ctx.setStatus(t('loading'));
  try {
    const profile = await participantProfile(participantId);
    ctx.data.profile = profile;
    ctx.data.profileId = participantId;
    ctx.clearError();
    const section = $('profile');
    if (!section) return;
    fillProfile(ctx, section, profile);
    section.hidden = false;
    $('participants-view').hidden = true;
    focus($('profile-title'));
    ctx.setStatus(t('profile.opened', { name: fullName(profile) }));
  } catch (err) {
    ctx.showError(err);
  }
}

/** @param {Ctx} ctx */
function closeProfile(ctx) {
  const id = ctx.data.profileId;
  ctx.data.profile = null;
  ctx.data.profileId = null;
  const section = $('profile');
  section.hidden = true;
  section.replaceChildren();
  $('participants-view').hidden = false;
  const button = document.querySelector(`#participants tr[data-id="${CSS.escape(String(id))}"] .open-profile`);
  focus(/** @type {HTMLElement | null} */ (button) || $('participant-search') || $('workspace-title'));
}

// ---------------------------------------------------------------- profile

/**
 * @param {string} titleKey
 * @param {...import('./dom.js').Children} content
 */
function block(titleKey, ...content) {
  return h('section', { class: 'profile-block' }, h('h3', { text: t(titleKey) }), ...content);
}

/** @param {[string, string][]} rows */
function definitionList(rows) {
  return h('dl', { class: 'facts' }, rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
}

/** @param {string} key */
function emptyLine(key) {
  return h('p', { class: 'empty', text: t(key) });
}

/**
 * @template T
 * @param {T[]} items
 * @param {string} emptyKey
 * @param {(item: T) => [string, string]} toEntry
 */
function entryList(items, emptyKey, toEntry) {
  if (items.length === 0) return emptyLine(emptyKey);
  return h('ul', { class: 'entries' }, items.map((item) => {
    const [body, meta] = toEntry(item);
    return h('li', {}, h('p', { class: 'entry-body', text: body }), h('p', { class: 'entry-meta', text: meta }));
  }));
}

/**
 * @template T
 * @param {T[]} items
 * @param {string} emptyKey
 * @param {string[]} columns
 * @param {(item: T) => string[]} toCells
 */
function smallTable(items, emptyKey, columns, toCells) {
  if (items.length === 0) return emptyLine(emptyKey);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data compact' },
    headerRow(columns.map((key) => t(key))),
    h('tbody', {}, items.map((item) => h('tr', {}, toCells(item).map((text) => h('td', { text })))))));
}

/**
 * @param {Ctx} ctx
 * @param {HTMLElement} section
 * @param {Profile} p
 */
function fillProfile(ctx, section, p) {
  const l = ctx.lang();
  /** @type {[string, string][]} */
  const contact = [[t('profile.email'), p.email || t('none')]];
  if (p.phone != null) contact.push([t('profile.phone'), p.phone]);
  contact.push([t('profile.certified'),
    p.certified_16_plus_at ? formatWhen(p.certified_16_plus_at, l) : t('profile.notCertified')]);
  contact.push([t('profile.lastLogin'), p.last_login_at ? formatDateTime(p.last_login_at, l) : t('profile.never')]);
  const blocks = [block('profile.contact', definitionList(contact))];

  // A null section is not permitted for this role: it is not rendered at all.
  if (p.family) {
    blocks.push(block('profile.family', definitionList([
      [t('profile.children'), formatCount(p.family.children_count ?? 0)],
      [t('profile.ages'), p.family.age_brackets.join(', ') || t('none')],
      [t('profile.challenges'), p.family.challenges || t('profile.noChallenges')],
    ])));
  }
  if (p.objectives) {
    blocks.push(block('profile.objectives', entryList(p.objectives, 'profile.objectivesEmpty',
      (o) => [o.body, t('profile.declaredAt', { date: formatWhen(o.declared_at, l) })])));
  }
  if (p.progress_notes) {
    blocks.push(block('profile.notes', entryList(p.progress_notes, 'profile.notesEmpty',
      (n) => [n.body, t('profile.noteMeta', { author: n.author, date: formatWhen(n.written_at, l) })])));
  }
  if (p.questions) {
    blocks.push(block('profile.questions', entryList(p.questions, 'profile.questionsEmpty',
      (q) => [q.body, t('profile.questionMeta', { session: q.session, date: formatWhen(q.asked_at, l) })])));
  }
  if (p.attendance) {
    blocks.push(block('profile.attendance', smallTable(p.attendance, 'profile.attendanceEmpty',
      ['col.session', 'col.joined', 'col.left'],
      (a) => [a.session, formatWhen(a.joined_at, l) || t('none'), formatWhen(a.left_at, l) || t('none')])));
  }
  if (p.enrolments) {
    blocks.push(block('profile.enrolments', smallTable(p.enrolments, 'profile.enrolmentsEmpty',
      ['col.group', 'col.status', 'col.payment'],
      (e) => [e.group, label('enrol', e.status), label('pay', e.payment_status)])));
  }

  // The DPO's consents, unsubscribe and "minor discovered" erasure (POL-7, POL-26, POL-35).
  blocks.push(...profileActions(ctx, p, async () => {
    // Reload the profile and keep the DPO where they were.
    await openProfile(ctx, p.id);
    const preferences = $('preferences');
    if (preferences) preferences.scrollIntoView({ block: 'start' });
  }, (outcome) => {
    ctx.data.profile = null;
    ctx.data.profileId = null;
    ctx.data.participants = freshParticipants();
    ctx.rerender();
    const box = h('section', { id: 'erasure-result', class: 'stack form-card', 'aria-live': 'polite' });
    $('tabpanel').prepend(box);
    showErasure(ctx, outcome, box);
  }));

  const back = h('button', { type: 'button', class: 'btn back', onClick: () => closeProfile(ctx) },
    h('span', { 'aria-hidden': 'true', text: '← ' }), t('profile.back'));
  section.replaceChildren(
    h('div', { class: 'profile-head' }, back, h('h2', { id: 'profile-title', tabindex: '-1', text: fullName(p) })),
    ...blocks);
}
