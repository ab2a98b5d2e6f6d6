// Views. The DOM is built with createElement/textContent only: backend data is
// personal data of families and is never parsed as HTML.

import * as api from './api.js';
import { t, tc, has, getLang, setLang, applyStatic, formatCount } from './i18n.js';
import { formatDateTime, formatWhen } from './format.js';
import {
  buildSessionsPanel, buildRegistrationsPanel, buildBalancingPanel, buildOutboxPanel, groupActions,
} from './workspaces.js';
import { buildRequestsPanel, profileActions, showErasure } from './dpo.js';
import { buildRetentionPanel, buildRegistersPanel } from './dpo-admin.js';
import { startSyncStatus, stopSyncStatus } from './sync.js';

const AUDIT_PAGE = 100;
const SEARCH_DEBOUNCE_MS = 200;
const ERROR_CODES = ['not_signed_in', 'not_permitted', 'bad_credentials', 'locked', 'not_found',
  'invalid_input', 'store', 'no_backend', 'payment_required', 'group_full', 'wrong_state', 'not_author',
  'room_clash', 'trainer_clash', 'room_too_small', 'capacity_below_confirmed', 'invalid_proposal', 'io', 'dialog'];
const STORE_ERROR_CODES = ['keyring_unreachable', 'key_missing', 'wrong_key', 'corrupted', 'not_encrypted'];

// Per-role workspace: title, tabs (first = default) and participants table options.
const LAYOUTS = {
  trainer: {
    title: 'ws.trainer', tabs: ['sessions', 'participants'],
    participants: { search: true, full: true, empty: 'participants.emptyMine' },
  },
  external_trainer: {
    title: 'ws.external_trainer', tabs: ['participants', 'groups'],
    participants: { search: true, full: false, empty: 'participants.emptyMine' },
  },
  administrator: {
    title: 'ws.administrator', tabs: ['registrations', 'groups', 'balancing', 'sessions', 'outbox', 'participants'],
    participants: { search: true, full: true, empty: 'participants.emptyAll' },
  },
  support: {
    title: 'ws.support', tabs: ['participants'],
    participants: { search: false, full: true, empty: 'participants.emptySupport' },
  },
  dpo: {
    title: 'ws.dpo', tabs: ['requests', 'retention', 'registers', 'audit', 'participants', 'groups', 'registrations'],
    participants: { search: true, full: true, empty: 'participants.emptyAll' },
  },
};

const state = {
  screen: 'boot', // boot | store-error | signin | workspace
  info: null,
  session: null,
  error: null,
  data: freshData(),
};

function freshData() {
  return {
    tab: null,
    query: '',
    participants: { items: null, loading: false, failed: false, req: 0 },
    profile: null,
    profileId: null,
    groups: { items: null, loading: false, failed: false },
    audit: {
      entries: null, total: 0, offset: 0, loading: false, failed: false, req: 0, chain: null, verifying: false,
      alerts: null, alertsFailed: false,
    },
  };
}

let searchTimer = null;

// ---------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);
const lang = () => getLang();

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'hidden' || key === 'disabled') node[key] = true;
    else if (key === 'onClick') node.addEventListener('click', value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function headerRow(labels) {
  return el('thead', {}, el('tr', {}, labels.map((label) => el('th', { scope: 'col', text: label }))));
}

function messageRow(columns, text, onRetry) {
  const cell = el('td', { colspan: columns, class: 'empty' }, text);
  if (onRetry) {
    cell.append(' ', el('button', { type: 'button', class: 'btn btn-small', text: t('retry'), onClick: onRetry }));
  }
  return el('tr', { class: 'message-row' }, cell);
}

function fullName(person) {
  return [person.given_name, person.family_name].filter(Boolean).join(' ');
}

function roleLabel(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : String(role);
}

function translated(prefix, value) {
  if (value === null || value === undefined) return t('none');
  return has(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : String(value);
}

function setStatus(text) {
  $('status').textContent = text || '';
}

function focus(node) {
  if (node) node.focus();
}

// ---------------------------------------------------------------- errors

function errorText(err) {
  const code = err && err.code;
  if (ERROR_CODES.includes(code) || (typeof code === 'string' && code !== 'unknown' && has(`error.${code}`))) {
    const text = t(`error.${code}`);
    // The lock's end time and the clash (another session's title and time) are in the message.
    const withMessage = ['locked', 'room_clash', 'trainer_clash', 'invalid_proposal', 'invalid_input'].includes(code);
    return withMessage && err.message ? `${text} ${err.message}` : text;
  }
  return err && err.message ? `${t('error.unknown')} ${err.message}` : t('error.unknown');
}

function renderError() {
  const box = $('error');
  box.replaceChildren();
  if (state.error) box.append(el('p', { text: errorText(state.error) }));
}

function showError(err) {
  state.error = err && typeof err === 'object' ? err : { code: 'unknown', message: String(err) };
  renderError();
  setStatus('');
  if (state.error.code === 'not_signed_in' && state.session) {
    // The backend session is gone: drop every cached personal datum and ask to sign in again.
    state.session = null;
    state.data = freshData();
    $('workspace-body').replaceChildren();
    showScreen('signin');
    focus($('username'));
  }
}

function clearError() {
  if (!state.error) return;
  state.error = null;
  renderError();
}

// ---------------------------------------------------------------- screens

function showScreen(name) {
  state.screen = name;
  $('boot').hidden = name !== 'boot';
  for (const id of ['store-error', 'signin', 'workspace']) $(id).hidden = id !== name;
  render();
}

function render() {
  document.documentElement.lang = lang();
  document.title = t('app.name');
  applyStatic(document);
  renderHeader();
  renderError();
  if (state.screen === 'store-error') renderStoreError();
  else if (state.screen === 'signin') renderSignin();
  else if (state.screen === 'workspace') renderWorkspace();
}

function renderHeader() {
  const toggle = $('lang-toggle');
  toggle.textContent = t('lang.switch');
  toggle.lang = lang() === 'fr' ? 'en' : 'fr';
  $('demo-badge').hidden = !(state.info && state.info.demo);
  const session = state.session;
  $('user-info').hidden = !session;
  $('sign-out').hidden = !session;
  $('user-info').replaceChildren(...(session
    ? [el('span', { class: 'user-name', text: session.display_name }),
      el('span', { class: 'visually-hidden', text: ', ' }),
      el('span', { class: 'user-role', text: roleLabel(session.role) })]
    : []));
  $('app-version').textContent = state.info ? t('app.version', { version: state.info.version }) : '';
}

function renderStoreError() {
  const storeError = state.info.store_error;
  const code = STORE_ERROR_CODES.includes(storeError.code) ? storeError.code : 'other';
  $('store-error-text').textContent = t(`store.${code}`);
  $('store-error-code').textContent = t('store.code', { code: storeError.code });
  $('store-error-detail').textContent = storeError.message || '';
}

// ---------------------------------------------------------------- sign-in

function renderSignin() {
  const accounts = state.info && state.info.demo && Array.isArray(state.info.demo_accounts)
    ? state.info.demo_accounts : [];
  $('demo').hidden = accounts.length === 0;
  $('demo-accounts').replaceChildren(...accounts.map((account) => el('li', {},
    el('button', {
      type: 'button', class: 'demo-account', 'data-username': account.username,
      onClick: () => fillDemoAccount(account),
    },
    el('span', { class: 'demo-name', text: account.display_name }),
    el('span', { class: 'demo-role', text: roleLabel(account.role) }),
    el('code', { class: 'demo-username', text: account.username })))));
}

function fillDemoAccount(account) {
  $('username').value = account.username;
  $('password').value = account.password;
  setStatus(t('demo.filled', { name: account.display_name }));
  focus($('sign-in'));
}

async function onSignIn(event) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    showError({ code: 'invalid_input', message: '' });
    return;
  }
  const button = $('sign-in');
  button.disabled = true;
  setStatus(t('signin.pending'));
  try {
    const session = await api.signIn(username, password);
    $('password').value = '';
    enterWorkspace(session);
    setStatus(t('status.signedIn', { name: session.display_name }));
  } catch (err) {
    showError(err);
    $('password').select();
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  stopSyncStatus();
  try {
    await api.signOut();
    clearError();
  } catch (err) {
    if (err.code !== 'not_signed_in') showError(err);
  }
  // Whatever the backend said, forget everything shown in this window.
  clearTimeout(searchTimer);
  state.session = null;
  state.data = freshData();
  $('workspace-body').replaceChildren();
  $('password').value = '';
  showScreen('signin');
  setStatus(t('status.signedOut'));
  focus($('username'));
}

// ---------------------------------------------------------------- workspace

function enterWorkspace(session) {
  state.session = session;
  startSyncStatus();
  state.data = freshData();
  state.error = null;
  showScreen('workspace');
  focus($('workspace-title'));
}

function layout() {
  return state.session ? LAYOUTS[state.session.role] : null;
}

function renderWorkspace() {
  const current = layout();
  const body = $('workspace-body');
  if (!current) {
    $('workspace-title').textContent = t('ws.unknownRole');
    body.replaceChildren(el('p', { class: 'empty', text: t('ws.unknownRoleText') }));
    return;
  }
  $('workspace-title').textContent = t(current.title);
  const data = state.data;
  if (!current.tabs.includes(data.tab)) data.tab = current.tabs[0];
  const tabbed = current.tabs.length > 1;
  const panel = el('div', {
    id: 'tabpanel', class: 'tabpanel',
    role: tabbed ? 'tabpanel' : null, 'aria-labelledby': tabbed ? `tab-${data.tab}` : null,
  });
  body.replaceChildren(...(tabbed ? [buildTabs(current.tabs)] : []), panel);
  if (data.tab === 'participants') panel.append(buildParticipantsPanel(current.participants));
  else if (data.tab === 'groups') panel.append(buildGroupsPanel());
  else if (data.tab === 'audit') panel.append(buildAuditPanel());
  else if (data.tab === 'sessions') panel.append(buildSessionsPanel(workspaceContext()));
  else if (data.tab === 'registrations') panel.append(buildRegistrationsPanel(workspaceContext()));
  else if (data.tab === 'balancing') panel.append(buildBalancingPanel(workspaceContext()));
  else if (data.tab === 'outbox') panel.append(buildOutboxPanel(workspaceContext()));
  else if (data.tab === 'requests') panel.append(buildRequestsPanel(workspaceContext()));
  else if (data.tab === 'retention') panel.append(buildRetentionPanel(workspaceContext()));
  else if (data.tab === 'registers') panel.append(buildRegistersPanel(workspaceContext()));
}

// What the workspace views of workspaces.js need from this module.
function workspaceContext() {
  return {
    el, headerRow, messageRow, fullName, showError, clearError, setStatus, focus, lang,
    data: state.data, rerender: renderWorkspace, role: state.session ? state.session.role : null,
  };
}

function buildTabs(tabs) {
  const list = el('div', { role: 'tablist', class: 'tabs', 'aria-label': t('tabs.label') },
    tabs.map((name) => {
      const selected = name === state.data.tab;
      return el('button', {
        type: 'button', role: 'tab', id: `tab-${name}`, class: 'tab', 'data-tab': name,
        'aria-selected': String(selected), 'aria-controls': 'tabpanel', tabindex: selected ? '0' : '-1',
        text: t(`tab.${name}`), onClick: () => selectTab(name),
      });
    }));
  list.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(state.data.tab);
    let next = null;
    if (event.key === 'ArrowRight') next = tabs[(index + 1) % tabs.length];
    else if (event.key === 'ArrowLeft') next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next);
    }
  });
  return list;
}

function selectTab(name) {
  if (state.data.tab !== name) {
    state.data.tab = name;
    clearError();
    renderWorkspace();
  }
  focus($(`tab-${name}`));
}

// ---------------------------------------------------------------- participants

function buildParticipantsPanel(options) {
  const data = state.data;
  const listView = el('div', { id: 'participants-view', class: 'stack' });
  if (options.search) {
    const input = el('input', {
      type: 'search', id: 'participant-search', autocomplete: 'off', spellcheck: 'false',
      placeholder: t('participants.searchPlaceholder'),
    });
    input.value = data.query;
    input.addEventListener('input', () => {
      data.query = input.value;
      clearTimeout(searchTimer);
      searchTimer = setTimeout(loadParticipants, SEARCH_DEBOUNCE_MS);
    });
    listView.append(el('div', { class: 'field search' },
      el('label', { for: 'participant-search', text: t('participants.search') }), input));
  }
  const columns = [t('col.name'), t('col.email')];
  if (options.full) columns.push(t('col.groups'), t('col.actions'));
  const table = el('table', { id: 'participants', class: 'data', 'aria-label': t('participants.label') },
    headerRow(columns), el('tbody'));
  listView.append(el('div', { class: 'table-wrap' }, table));

  const profile = el('section', { id: 'profile', class: 'profile', 'aria-labelledby': 'profile-title' });
  const showProfile = Boolean(options.full && data.profile);
  listView.hidden = showProfile;
  profile.hidden = !showProfile;
  if (showProfile) fillProfile(profile, data.profile);

  fillParticipantRows(table.tBodies[0], options);
  const list = data.participants;
  if (list.items === null && !list.loading && !list.failed) loadParticipants();
  return el('div', { class: 'panel' }, listView, profile);
}

function fillParticipantRows(tbody, options) {
  const list = state.data.participants;
  const columns = options.full ? 4 : 2;
  if (list.items === null) {
    tbody.replaceChildren(list.failed
      ? messageRow(columns, t('loadFailed'), retryParticipants)
      : messageRow(columns, t('loading')));
    return;
  }
  if (list.items.length === 0) {
    const query = state.data.query.trim();
    tbody.replaceChildren(messageRow(columns,
      query ? t('participants.emptySearch', { query }) : t(options.empty)));
    return;
  }
  tbody.replaceChildren(...list.items.map((person) => {
    const name = fullName(person);
    const row = el('tr', { 'data-id': person.id },
      el('td', { text: name }),
      el('td', { text: person.email || t('none') }));
    if (options.full) {
      const groups = Array.isArray(person.groups) ? person.groups.join(', ') : '';
      row.append(
        el('td', { text: groups || t('none') }),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: 'btn btn-small open-profile',
          'aria-label': t('participants.openLabel', { name }), text: t('participants.open'),
          onClick: () => openProfile(person.id),
        })));
    }
    return row;
  }));
}

function retryParticipants() {
  state.data.participants.failed = false;
  loadParticipants();
}

async function loadParticipants() {
  const list = state.data.participants;
  const req = ++list.req;
  list.loading = true;
  setStatus(t('loading'));
  try {
    const items = await api.listParticipants(state.data.query.trim() || null);
    if (req !== list.req || list !== state.data.participants) return;
    list.items = Array.isArray(items) ? items : [];
    list.failed = false;
    clearError();
    setStatus(tc('participants.count', list.items.length));
  } catch (err) {
    if (req !== list.req || list !== state.data.participants) return;
    list.failed = list.items === null;
    showError(err);
  } finally {
    if (req === list.req) list.loading = false;
  }
  const tbody = document.querySelector('#participants tbody');
  const current = layout();
  if (tbody && current && list === state.data.participants) fillParticipantRows(tbody, current.participants);
}

async function openProfile(participantId) {
  setStatus(t('loading'));
  try {
    const profile = await api.participantProfile(participantId);
    if (!state.session) return;
    state.data.profile = profile;
    state.data.profileId = participantId;
    clearError();
    const section = $('profile');
    if (!section) return;
    fillProfile(section, profile);
    section.hidden = false;
    $('participants-view').hidden = true;
    focus($('profile-title'));
    setStatus(t('profile.opened', { name: fullName(profile) }));
  } catch (err) {
    showError(err);
  }
}

function closeProfile() {
  const id = state.data.profileId;
  state.data.profile = null;
  state.data.profileId = null;
  const section = $('profile');
  section.hidden = true;
  section.replaceChildren();
  $('participants-view').hidden = false;
  const button = document.querySelector(`#participants tr[data-id="${CSS.escape(String(id))}"] .open-profile`);
  focus(button || $('participant-search') || $('workspace-title'));
}

// ---------------------------------------------------------------- profile

function block(titleKey, ...content) {
  return el('section', { class: 'profile-block' }, el('h3', { text: t(titleKey) }), ...content);
}

function definitionList(rows) {
  return el('dl', { class: 'facts' },
    rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
}

function emptyLine(key) {
  return el('p', { class: 'empty', text: t(key) });
}

function entryList(items, emptyKey, toEntry) {
  if (items.length === 0) return emptyLine(emptyKey);
  return el('ul', { class: 'entries' }, items.map((item) => {
    const [body, meta] = toEntry(item);
    return el('li', {}, el('p', { class: 'entry-body', text: body }), el('p', { class: 'entry-meta', text: meta }));
  }));
}

function smallTable(items, emptyKey, columns, toCells) {
  if (items.length === 0) return emptyLine(emptyKey);
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data compact' },
    headerRow(columns.map((key) => t(key))),
    el('tbody', {}, items.map((item) => el('tr', {}, toCells(item).map((text) => el('td', { text })))))));
}

function fillProfile(section, p) {
  const l = lang();
  const contact = [[t('profile.email'), p.email || t('none')]];
  if (p.phone != null) contact.push([t('profile.phone'), p.phone]);
  contact.push([t('profile.certified'),
    p.certified_16_plus_at ? formatWhen(p.certified_16_plus_at, l) : t('profile.notCertified')]);
  contact.push([t('profile.lastLogin'), p.last_login_at ? formatDateTime(p.last_login_at, l) : t('profile.never')]);
  const blocks = [block('profile.contact', definitionList(contact))];

  // A null (or absent) section is not permitted for this role: it is not rendered at all.
  if (p.family) {
    const ages = Array.isArray(p.family.age_brackets) ? p.family.age_brackets.join(', ') : '';
    blocks.push(block('profile.family', definitionList([
      [t('profile.children'), formatCount(p.family.children_count ?? 0)],
      [t('profile.ages'), ages || t('none')],
      [t('profile.challenges'), p.family.challenges || t('profile.noChallenges')],
    ])));
  }
  if (Array.isArray(p.objectives)) {
    blocks.push(block('profile.objectives', entryList(p.objectives, 'profile.objectivesEmpty',
      (o) => [o.body, t('profile.declaredAt', { date: formatWhen(o.declared_at, l) })])));
  }
  if (Array.isArray(p.progress_notes)) {
    blocks.push(block('profile.notes', entryList(p.progress_notes, 'profile.notesEmpty',
      (n) => [n.body, t('profile.noteMeta', { author: n.author, date: formatWhen(n.written_at, l) })])));
  }
  if (Array.isArray(p.questions)) {
    blocks.push(block('profile.questions', entryList(p.questions, 'profile.questionsEmpty',
      (q) => [q.body, t('profile.questionMeta', { session: q.session, date: formatWhen(q.asked_at, l) })])));
  }
  if (Array.isArray(p.attendance)) {
    blocks.push(block('profile.attendance', smallTable(p.attendance, 'profile.attendanceEmpty',
      ['col.session', 'col.joined', 'col.left'],
      (a) => [a.session, formatWhen(a.joined_at, l) || t('none'), formatWhen(a.left_at, l) || t('none')])));
  }
  if (Array.isArray(p.enrolments)) {
    blocks.push(block('profile.enrolments', smallTable(p.enrolments, 'profile.enrolmentsEmpty',
      ['col.group', 'col.status', 'col.payment'],
      (e) => [e.group, translated('enrol', e.status), translated('pay', e.payment_status)])));
  }

  // The DPO's consents, unsubscribe and "minor discovered" erasure (POL-7, POL-26, POL-35).
  blocks.push(...profileActions(workspaceContext(), p, async () => {
    // Reload the profile and keep the DPO where they were.
    await openProfile(p.id);
    const preferences = $('preferences');
    if (preferences) preferences.scrollIntoView({ block: 'start' });
  }, (outcome) => {
    state.data.profile = null;
    state.data.profileId = null;
    state.data.participants = { items: null, loading: false, failed: false, req: 0 };
    renderWorkspace();
    const box = el('section', { id: 'erasure-result', class: 'stack form-card', 'aria-live': 'polite' });
    $('tabpanel').prepend(box);
    showErasure(workspaceContext(), outcome, box);
  }));

  const back = el('button', { type: 'button', class: 'btn back', onClick: closeProfile },
    el('span', { 'aria-hidden': 'true', text: '← ' }), t('profile.back'));
  section.replaceChildren(
    el('div', { class: 'profile-head' }, back, el('h2', { id: 'profile-title', tabindex: '-1', text: fullName(p) })),
    ...blocks);
}

// ---------------------------------------------------------------- groups

function buildGroupsPanel() {
  const table = el('table', { id: 'groups', class: 'data', 'aria-label': t('groups.label') },
    headerRow(['col.group', 'col.programme', 'col.trainer', 'col.schedule', 'col.room', 'col.headcount',
      'col.waitlisted', 'col.requested', 'col.actions'].map((key) => t(key))),
    el('tbody'));
  fillGroupRows(table.tBodies[0]);
  const groups = state.data.groups;
  if (groups.items === null && !groups.loading && !groups.failed) loadGroups();
  return el('div', { class: 'panel' }, el('div', { class: 'table-wrap' }, table));
}

function fillGroupRows(tbody) {
  const groups = state.data.groups;
  if (groups.items === null) {
    tbody.replaceChildren(groups.failed
      ? messageRow(9, t('loadFailed'), () => { groups.failed = false; loadGroups(); })
      : messageRow(9, t('loading')));
    return;
  }
  if (groups.items.length === 0) {
    tbody.replaceChildren(messageRow(9, t('groups.empty')));
    return;
  }
  tbody.replaceChildren(...groups.items.map((g) => {
    const confirmed = Number(g.confirmed) || 0;
    const capacity = Number(g.capacity) || 0;
    const headcount = el('td', { class: confirmed >= capacity ? 'headcount full' : 'headcount' },
      el('span', { text: t('groups.headcount', { confirmed: formatCount(confirmed), capacity: formatCount(capacity) }) }),
      el('meter', {
        min: '0', max: String(Math.max(capacity, 1)), value: String(Math.min(confirmed, Math.max(capacity, 1))),
        'aria-hidden': 'true',
      }));
    return el('tr', { 'data-id': g.id },
      el('td', { class: 'strong', text: g.name }),
      el('td', { text: g.programme }),
      el('td', { text: g.trainer }),
      el('td', { text: g.schedule }),
      el('td', { text: g.room || t('none') }),
      headcount,
      el('td', { class: 'num', text: formatCount(Number(g.waitlisted) || 0) }),
      el('td', { class: 'num', text: formatCount(Number(g.requested) || 0) }),
      el('td', { class: 'actions' }, groupActions(workspaceContext(), g)));
  }));
}

async function loadGroups() {
  const groups = state.data.groups;
  groups.loading = true;
  setStatus(t('loading'));
  try {
    const items = await api.listGroups();
    if (groups !== state.data.groups) return;
    groups.items = Array.isArray(items) ? items : [];
    clearError();
    setStatus('');
  } catch (err) {
    if (groups !== state.data.groups) return;
    groups.failed = true;
    showError(err);
  } finally {
    groups.loading = false;
  }
  const tbody = document.querySelector('#groups tbody');
  if (tbody) fillGroupRows(tbody);
}

// ---------------------------------------------------------------- audit

function buildAuditPanel() {
  const audit = state.data.audit;
  const status = el('div', { id: 'audit-status', class: 'audit-status', role: 'status' });
  const verify = el('button', {
    type: 'button', id: 'verify-chain', class: 'btn', text: t('audit.verify'), onClick: verifyChain,
  });
  verify.disabled = audit.verifying;
  const table = el('table', { id: 'audit', class: 'data', 'aria-label': t('audit.label') },
    headerRow(['col.seq', 'col.at', 'col.actor', 'col.device', 'col.action', 'col.participant', 'col.outcome']
      .map((key) => t(key))),
    el('tbody'));
  const pager = el('nav', { class: 'pager', 'aria-label': t('audit.pager') },
    el('button', { type: 'button', id: 'audit-prev', class: 'btn', text: t('audit.prev'),
      onClick: () => loadAudit(Math.max(0, audit.offset - AUDIT_PAGE)) }),
    el('span', { id: 'audit-range', tabindex: '-1' }),
    el('button', { type: 'button', id: 'audit-next', class: 'btn', text: t('audit.next'),
      onClick: () => loadAudit(audit.offset + AUDIT_PAGE) }));
  const alerts = el('section', { id: 'audit-alerts', class: 'alerts', 'aria-labelledby': 'audit-alerts-title' },
    el('h3', { id: 'audit-alerts-title', text: t('alerts.title') }),
    el('div', { class: 'alerts-body' }));
  const panel = el('div', { class: 'panel stack' },
    alerts,
    el('div', { class: 'toolbar' }, status, verify),
    el('div', { class: 'table-wrap' }, table),
    pager);
  fillChainStatus(status);
  fillAlerts(alerts.querySelector('.alerts-body'));
  if (audit.alerts === null && !audit.alertsFailed) loadAlerts();
  fillAuditTable(table.tBodies[0]);
  fillPager(pager);
  if (audit.chain === null && audit.entries === null && !audit.verifying && !audit.loading && !audit.failed) {
    verifyChain().then(() => {
      if (audit === state.data.audit) loadAudit(0);
    });
  }
  return panel;
}

// Anomaly alerts the server raised on the staff's trails (POL-21), pulled
// with the sync. Ids, counts and dates only.
function fillAlerts(body) {
  const alerts = state.data.audit.alerts;
  if (alerts === null) {
    body.replaceChildren(el('p', { class: 'muted', text: state.data.audit.alertsFailed ? t('loadFailed') : t('loading') }));
    return;
  }
  if (alerts.length === 0) {
    body.replaceChildren(el('p', { id: 'alerts-none', class: 'muted', text: t('alerts.none') }));
    return;
  }
  const table = el('table', { id: 'alerts', class: 'data', 'aria-labelledby': 'audit-alerts-title' },
    headerRow(['alerts.kind', 'col.actor', 'col.device', 'alerts.period', 'alerts.entries', 'alerts.raised', 'alerts.followUp']
      .map((key) => t(key))),
    el('tbody', {}, ...alerts.map((alert) => el('tr', { 'data-alert': alert.id, 'data-kind': alert.kind },
      el('td', {}, el('span', { class: 'outcome outcome-denied', text: translated('alerts.kinds', alert.kind) })),
      el('td', { text: alert.staff_name || alert.staff_id }),
      el('td', {}, el('code', { text: alert.device_id })),
      el('td', { class: 'nowrap', text: `${formatDateTime(alert.first_at, lang())} – ${formatDateTime(alert.last_at, lang())}` }),
      el('td', { class: 'num', text: formatCount(alert.entries) }),
      el('td', { class: 'nowrap', text: formatDateTime(alert.raised_at, lang()) }),
      el('td', { class: 'actions' }, alert.acknowledged
        ? el('span', { class: 'muted alert-handled', text: t('alerts.handled') })
        : el('button', {
          type: 'button',
          class: 'btn btn-small acknowledge-alert',
          text: t('alerts.acknowledge'),
          onClick: () => acknowledgeAlert(alert.id),
        }))))));
  body.replaceChildren(el('div', { class: 'table-wrap' }, table));
}

// POL-21: the DPO marks an alert as handled; the core checks the role and
// syncs the mark to the server and the DPO's other laptops.
async function acknowledgeAlert(alertId) {
  try {
    await api.acknowledgeAlert(alertId);
  } catch (err) {
    showError(err);
  }
  await loadAlerts();
}

async function loadAlerts() {
  const audit = state.data.audit;
  try {
    const rows = await api.auditAlerts();
    if (audit !== state.data.audit) return;
    audit.alerts = Array.isArray(rows) ? rows : [];
    audit.alertsFailed = false;
  } catch (err) {
    if (audit !== state.data.audit) return;
    audit.alertsFailed = true;
    showError(err);
  }
  const body = document.querySelector('#audit-alerts .alerts-body');
  if (body) fillAlerts(body);
}

function fillChainStatus(box) {
  const chain = state.data.audit.chain;
  box.classList.remove('ok', 'broken', 'pending');
  if (state.data.audit.verifying || chain === null) {
    box.classList.add('pending');
    box.textContent = t('audit.verifying');
  } else if (chain.failed) {
    box.classList.add('pending');
    box.textContent = t('audit.verifyFailed');
  } else if (chain.ok) {
    box.classList.add('ok');
    box.textContent = tc('audit.ok', Number(chain.checked) || 0);
  } else {
    box.classList.add('broken');
    const reason = chain.reason || t('audit.noReason');
    box.textContent = chain.first_broken != null
      ? t('audit.broken', { seq: chain.first_broken, reason })
      : t('audit.brokenNoSeq', { reason });
  }
}

function fillAuditTable(tbody) {
  const audit = state.data.audit;
  if (audit.entries === null) {
    tbody.replaceChildren(audit.failed
      ? messageRow(7, t('loadFailed'), () => { audit.failed = false; loadAudit(audit.offset); })
      : messageRow(7, t('loading')));
    return;
  }
  if (audit.entries.length === 0) {
    tbody.replaceChildren(messageRow(7, t('audit.empty')));
    return;
  }
  const chain = audit.chain;
  const brokenSeq = chain && !chain.failed && !chain.ok ? chain.first_broken : null;
  tbody.replaceChildren(...audit.entries.map((entry) => el('tr', {
    'data-seq': entry.seq, class: brokenSeq != null && entry.seq === brokenSeq ? 'broken-row' : null,
  },
  el('td', { class: 'num', text: entry.seq }),
  el('td', { class: 'nowrap', text: formatDateTime(entry.at, lang()) }),
  el('td', { text: entry.actor }),
  el('td', { text: entry.device || t('none') }),
  el('td', {}, el('code', { text: entry.action })),
  el('td', {}, entry.participant_id != null ? el('code', { text: entry.participant_id }) : t('none')),
  el('td', {}, el('span', {
    class: `outcome outcome-${entry.outcome === 'allowed' ? 'allowed' : 'denied'}`,
    text: translated('outcome', entry.outcome),
  })))));
}

function fillPager(pager) {
  const audit = state.data.audit;
  const count = audit.entries ? audit.entries.length : 0;
  pager.hidden = count === 0 && audit.offset === 0;
  pager.querySelector('#audit-range').textContent = count
    ? t('audit.range', {
      from: formatCount(audit.offset + 1), to: formatCount(audit.offset + count), total: formatCount(audit.total),
    })
    : '';
  pager.querySelector('#audit-prev').disabled = audit.loading || audit.offset === 0;
  pager.querySelector('#audit-next').disabled = audit.loading || audit.offset + AUDIT_PAGE >= audit.total;
}

function refreshAudit() {
  const status = $('audit-status');
  if (!status) return;
  fillChainStatus(status);
  $('verify-chain').disabled = state.data.audit.verifying;
  fillAuditTable(document.querySelector('#audit tbody'));
  fillPager(document.querySelector('.pager'));
}

async function verifyChain() {
  const audit = state.data.audit;
  audit.verifying = true;
  refreshAudit();
  try {
    const result = await api.verifyAuditChain();
    if (audit !== state.data.audit) return;
    audit.chain = result;
  } catch (err) {
    if (audit !== state.data.audit) return;
    audit.chain = { failed: true };
    showError(err);
  } finally {
    audit.verifying = false;
  }
  refreshAudit();
}

async function loadAudit(offset) {
  const audit = state.data.audit;
  const req = ++audit.req;
  const hadFocus = document.activeElement;
  audit.loading = true;
  refreshAudit();
  setStatus(t('loading'));
  try {
    const result = await api.auditTrail(AUDIT_PAGE, offset);
    if (req !== audit.req || audit !== state.data.audit) return;
    const entries = Array.isArray(result && result.entries) ? result.entries : [];
    // Newest first, whatever order the backend used within the page.
    audit.entries = entries.slice().sort((a, b) => b.seq - a.seq);
    audit.total = Number(result.total) || 0;
    audit.offset = offset;
    audit.failed = false;
    clearError();
  } catch (err) {
    if (req !== audit.req || audit !== state.data.audit) return;
    audit.failed = audit.entries === null;
    showError(err);
  } finally {
    if (req === audit.req) audit.loading = false;
  }
  refreshAudit();
  const range = $('audit-range');
  if (range) {
    setStatus(range.textContent);
    // A pager button that became disabled loses focus: keep the user in the pager.
    if (hadFocus && hadFocus.disabled) focus(range);
  }
}

// ---------------------------------------------------------------- start

function toggleLanguage() {
  setLang(lang() === 'fr' ? 'en' : 'fr');
  render();
  setStatus(t('status.lang'));
}

async function start() {
  $('lang-toggle').addEventListener('click', toggleLanguage);
  $('sign-out').addEventListener('click', onSignOut);
  $('signin-form').addEventListener('submit', onSignIn);
  render();

  try {
    state.info = await api.appInfo();
  } catch (err) {
    $('boot').hidden = true;
    showError(err);
    return;
  }
  if (state.info.store_error) {
    showScreen('store-error');
    focus($('store-error-title'));
    return;
  }
  let session = null;
  try {
    session = await api.currentSession();
  } catch (err) {
    if (err.code !== 'not_signed_in') showError(err);
  }
  if (session) {
    enterWorkspace(session);
  } else {
    showScreen('signin');
    focus($('username'));
  }
}

start();
