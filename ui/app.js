// @ts-check
// The window: screens (start, store error, sign-in, workspace), the header,
// the per-role workspace with its tabs, and the error alert. Each tab is its
// own module; they get what they need through a Ctx (types.js).

import { appInfo, signIn, signOut, currentSession } from './commands.js';
import { t, getLang, setLang, applyStatic, label } from './i18n.js';
import { h, $, focus } from './dom.js';
import { errorText, asUiError, uiError } from './errors.js';
import { loadVocabularies } from './vocab.js';
import { listenToTasks, clearTasks, renderTasks } from './tasks.js';
import { buildParticipantsPanel, freshParticipants, stopSearch } from './participants.js';
import { buildAuditPanel, freshAudit } from './audit.js';
import { startSyncStatus, stopSyncStatus, listenToSync } from './sync.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./types.js').WorkspaceData} WorkspaceData */
/** @typedef {import('./bindings').SessionDto} SessionDto */
/** @typedef {import('./bindings').AppInfo} AppInfo */

const STORE_ERROR_CODES = ['keyring_unreachable', 'key_missing', 'wrong_key', 'corrupted', 'not_encrypted'];

/**
 * Per-role workspace: title, tabs (first = default) and participants table options.
 * @type {Record<string, { title: string, tabs: string[], participants: import('./participants.js').ListOptions }>}
 */
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

/**
 * @type {{ screen: string, info: AppInfo | null, session: SessionDto | null, error: unknown, data: WorkspaceData }}
 */
const state = {
  screen: 'boot', // boot | store-error | signin | workspace
  info: null,
  session: null,
  error: null,
  data: freshData(),
};

/** @returns {WorkspaceData} */
function freshData() {
  return {
    tab: null,
    query: '',
    participants: freshParticipants(),
    profile: null,
    profileId: null,
    groups: { items: null, loading: false, failed: false },
    audit: freshAudit(),
  };
}

const lang = () => getLang();

/** @param {string} text */
function setStatus(text) {
  $('status').textContent = text || '';
}

// ---------------------------------------------------------------- errors

function renderError() {
  const box = $('error');
  box.replaceChildren();
  if (state.error) box.append(h('p', { 'data-code': asUiError(state.error).code, text: errorText(state.error) }));
}

/** @param {unknown} err */
function showError(err) {
  state.error = asUiError(err);
  renderError();
  setStatus('');
  if (asUiError(err).code === 'not_signed_in' && state.session) {
    // The core's session is gone: drop every cached personal datum and ask to sign in again.
    forgetSession();
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

/** @param {string} name */
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
  renderTasks();
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
    ? [h('span', { class: 'user-name', text: session.display_name }),
      h('span', { class: 'visually-hidden', text: ', ' }),
      h('span', { class: 'user-role', text: label('role', session.role) })]
    : []));
  $('app-version').textContent = state.info ? t('app.version', { version: state.info.version }) : '';
}

function renderStoreError() {
  const code = state.info && state.info.store_error ? state.info.store_error.code : 'unknown';
  $('store-error-text').textContent = t(`store.${STORE_ERROR_CODES.includes(code) ? code : 'other'}`);
  $('store-error-code').textContent = t('store.code', { code });
}

// ---------------------------------------------------------------- sign-in

function renderSignin() {
  const accounts = state.info && state.info.demo && Array.isArray(state.info.demo_accounts)
    ? state.info.demo_accounts : [];
  $('demo').hidden = accounts.length === 0;
  $('demo-accounts').replaceChildren(...accounts.map((account) => h('li', {},
    h('button', {
      type: 'button', class: 'demo-account', 'data-username': account.username,
      onClick: () => fillDemoAccount(account),
    },
    h('span', { class: 'demo-name', text: account.display_name }),
    h('span', { class: 'demo-role', text: label('role', account.role) }),
    h('code', { class: 'demo-username', text: account.username })))));
}

/** @param {import('./bindings').DemoAccount} account */
function fillDemoAccount(account) {
  $('username').value = account.username;
  $('password').value = account.password;
  setStatus(t('demo.filled', { name: account.display_name }));
  focus($('sign-in'));
}

/** @param {SubmitEvent} event */
async function onSignIn(event) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    showError(uiError('invalid_input', { reason: t('signin.missing') }));
    focus($(username ? 'password' : 'username'));
    return;
  }
  const button = $('sign-in');
  button.disabled = true;
  setStatus(t('signin.pending'));
  try {
    const session = await signIn(username, password);
    $('password').value = '';
    await enterWorkspace(session);
    setStatus(t('status.signedIn', { name: session.display_name }));
  } catch (err) {
    showError(err);
    $('password').select();
  } finally {
    button.disabled = false;
  }
}

/** Forgets everything shown in this window for the signed-in user. */
function forgetSession() {
  stopSyncStatus();
  stopSearch();
  clearTasks();
  state.session = null;
  state.data = freshData();
  $('workspace-body').replaceChildren();
}

async function onSignOut() {
  stopSyncStatus();
  try {
    await signOut();
    clearError();
  } catch (err) {
    if (asUiError(err).code !== 'not_signed_in') showError(err);
  }
  // Whatever the core said, forget everything shown in this window.
  forgetSession();
  $('password').value = '';
  showScreen('signin');
  setStatus(t('status.signedOut'));
  focus($('username'));
}

// ---------------------------------------------------------------- workspace

/** @param {SessionDto} session */
async function enterWorkspace(session) {
  // The forms take their closed lists from the core: ask before the first view.
  await Promise.all([loadVocabularies(), loadPanels()]);
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

/** @type {Promise<typeof import('./panels.js')> | null} */
let panelsLoading = null;
/** @type {Record<string, (ctx: Ctx) => HTMLElement> | null} */
let PANELS = null;

/** The other tabs' modules: fetched once the first screen is up, awaited
 * before the first workspace view (issue 13: start to a usable sign-in). */
function loadPanels() {
  if (!panelsLoading) {
    panelsLoading = import('./panels.js');
    panelsLoading.then((panels) => {
      PANELS = {
        groups: panels.buildGroupsPanel,
        audit: buildAuditPanel,
        sessions: panels.buildSessionsPanel,
        registrations: panels.buildRegistrationsPanel,
        balancing: panels.buildBalancingPanel,
        outbox: panels.buildOutboxPanel,
        requests: panels.buildRequestsPanel,
        retention: panels.buildRetentionPanel,
        registers: panels.buildRegistersPanel,
      };
    }).catch(() => { panelsLoading = null; });
  }
  return panelsLoading;
}

function renderWorkspace() {
  const current = layout();
  const body = $('workspace-body');
  if (!current) {
    $('workspace-title').textContent = t('ws.unknownRole');
    body.replaceChildren(h('p', { class: 'empty', text: t('ws.unknownRoleText') }));
    return;
  }
  $('workspace-title').textContent = t(current.title);
  const data = state.data;
  const tab = data.tab && current.tabs.includes(data.tab) ? data.tab : current.tabs[0];
  data.tab = tab;
  const tabbed = current.tabs.length > 1;
  const panel = h('div', {
    id: 'tabpanel', class: 'tabpanel',
    role: tabbed ? 'tabpanel' : null, 'aria-labelledby': tabbed ? `tab-${tab}` : null,
  });
  body.replaceChildren(...(tabbed ? [buildTabs(current.tabs)] : []), panel);
  const ctx = context();
  if (tab === 'participants') panel.append(buildParticipantsPanel(ctx, current.participants));
  else if (PANELS && PANELS[tab]) panel.append(PANELS[tab](ctx));
}

/** @returns {Ctx} */
function context() {
  return {
    data: state.data,
    role: state.session ? state.session.role : null,
    lang,
    rerender: renderWorkspace,
    showError,
    clearError,
    setStatus,
  };
}

/** @param {string[]} tabs */
function buildTabs(tabs) {
  const list = h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('tabs.label') },
    tabs.map((name) => {
      const selected = name === state.data.tab;
      return h('button', {
        type: 'button', role: 'tab', id: `tab-${name}`, class: 'tab', 'data-tab': name,
        'aria-selected': String(selected), 'aria-controls': 'tabpanel', tabindex: selected ? '0' : '-1',
        text: t(`tab.${name}`), onClick: () => selectTab(name),
      });
    }));
  list.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(state.data.tab || tabs[0]);
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

/** @param {string} name */
function selectTab(name) {
  if (state.data.tab !== name) {
    state.data.tab = name;
    clearError();
    renderWorkspace();
  }
  focus($(`tab-${name}`));
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
  // The core's events (background tasks, sync): ids and counts only.
  listenToTasks().catch(() => {});
  listenToSync().catch(() => {});

  try {
    state.info = await appInfo();
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
  /** @type {SessionDto | null} */
  let session = null;
  try {
    session = await currentSession();
  } catch (err) {
    if (asUiError(err).code !== 'not_signed_in') showError(err);
  }
  if (session) {
    try {
      await enterWorkspace(session);
      return;
    } catch (err) {
      showError(err);
    }
  }
  showScreen('signin');
  focus($('username'));
  // While the user types: the workspace's other modules.
  loadPanels().catch(() => {});
}

start();
