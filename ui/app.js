// @ts-check
// The window: screens (start, store error, connect this laptop, sign-in,
// password change, workspace), the header, the per-role workspace with its
// tabs, and the error alert. Each tab is its own module; they get what they
// need through a Ctx (types.js).

import {
  appInfo, signIn, signOut, currentSession, connectLaptop, openEnrolmentFile, changePassword,
} from './commands.js';
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
    title: 'ws.trainer', tabs: ['sessions', 'participants', 'statistics'],
    participants: { search: true, full: true, empty: 'participants.emptyMine' },
  },
  external_trainer: {
    title: 'ws.external_trainer', tabs: ['participants', 'groups'],
    participants: { search: true, full: false, empty: 'participants.emptyMine' },
  },
  administrator: {
    title: 'ws.administrator',
    tabs: ['registrations', 'groups', 'balancing', 'sessions', 'outbox', 'participants', 'accounts', 'statistics'],
    participants: { search: true, full: true, empty: 'participants.emptyAll' },
  },
  support: {
    title: 'ws.support', tabs: ['participants'],
    participants: { search: false, full: true, empty: 'participants.emptySupport' },
  },
  dpo: {
    title: 'ws.dpo',
    tabs: ['requests', 'retention', 'registers', 'audit', 'participants', 'groups', 'registrations', 'accounts',
      'statistics'],
    participants: { search: true, full: true, empty: 'participants.emptyAll' },
  },
};

/** The screens: one `<section>` each in index.html, by id. */
const SCREENS = ['store-error', 'connect-screen', 'signin', 'password-screen', 'workspace'];

/**
 * @type {{ screen: string, info: AppInfo | null, session: SessionDto | null, error: unknown, data: WorkspaceData,
 *   passwordForced: boolean, connecting: boolean }}
 */
const state = {
  screen: 'boot', // boot | store-error | connect-screen | signin | password-screen | workspace
  info: null,
  session: null,
  error: null,
  data: freshData(),
  // The password screen was opened because the session may do nothing else.
  passwordForced: false,
  connecting: false,
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
  const code = asUiError(err).code;
  if (code === 'not_signed_in' && state.session) {
    // The core's session is gone: drop every cached personal datum and ask to sign in again.
    forgetSession();
    showEntryScreen();
  } else if (code === 'password_change_required' && state.session) {
    // The core allows nothing but a password change for this session.
    openPasswordScreen({ ...state.session, must_change_password: true });
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
  for (const id of SCREENS) $(id).hidden = id !== name;
  render();
}

/** The way in: a laptop not connected to a server opens on "Connect this laptop", else on sign-in. */
function showEntryScreen() {
  if (state.info && !state.info.connected) {
    showScreen('connect-screen');
    focus($($('connect-code').value.trim() ? 'connect-password' : 'connect-code'));
  } else {
    showScreen('signin');
    focus($('username'));
  }
}

function render() {
  document.documentElement.lang = lang();
  document.title = t('app.name');
  applyStatic(document);
  renderHeader();
  renderError();
  renderTasks();
  if (state.screen === 'store-error') renderStoreError();
  else if (state.screen === 'connect-screen') renderConnect();
  else if (state.screen === 'signin') renderSignin();
  else if (state.screen === 'password-screen') renderPassword();
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
  $('change-password-open').hidden = !session || state.screen === 'password-screen';
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
    await afterSignIn(session);
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
  state.passwordForced = false;
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
  clearPasswordForm();
  showEntryScreen();
  setStatus(t('status.signedOut'));
}

/**
 * After any sign-in (the sign-in form, a connected laptop, a session still
 * open): a one-time password leads to the password screen, and nowhere else.
 * @param {SessionDto} session
 */
async function afterSignIn(session) {
  if (session.must_change_password) openPasswordScreen(session);
  else await enterWorkspace(session);
}

// ---------------------------------------------------------------- errors shown in a form

/**
 * Says `err` in a form's own alert (`boxId`), or empties it. `overrides`
 * gives a sentence of this screen for some codes (e.g. `offline` while
 * connecting a laptop says nothing about pending changes).
 * @param {string} boxId
 * @param {unknown} err
 * @param {Record<string, string>} [overrides] code -> locale key
 */
function setFormError(boxId, err, overrides = {}) {
  const box = $(boxId);
  if (!err) {
    box.replaceChildren();
    return;
  }
  const code = asUiError(err).code;
  const text = overrides[code] ? t(overrides[code]) : errorText(err);
  box.replaceChildren(h('p', { 'data-code': code, text }));
  setStatus('');
}

// ---------------------------------------------------------------- connect this laptop (issue 14)

/** Codes whose fault is in the code itself: the cursor goes back to it. */
const CODE_ERRORS = ['enrolment_code_malformed', 'enrolment_code_invalid', 'enrolment_code_used',
  'enrolment_code_expired'];

const CONNECT_SENTENCES = {
  bad_credentials: 'connect.badPassword',
  offline: 'connect.offline',
};

function renderConnect() {
  const button = $('connect-submit');
  button.disabled = state.connecting;
  button.textContent = state.connecting ? t('connect.pending') : t('connect.submit');
  // Rendered here, so a change of language while connecting rewrites it too.
  $('connect-progress').textContent = state.connecting ? t('connect.progress') : '';
  const offered = state.info ? state.info.offered_code : null;
  const ready = Boolean(offered && $('connect-code').value.trim() === offered.trim());
  $('connect-offered').hidden = !ready;
  const account = state.info ? state.info.offered_account : null;
  if (ready && account) {
    $('connect-offered').textContent = t('connect.offeredFor', {
      name: account.display_name, username: account.username, password: account.password,
    });
  }
  // A hidden hint would still be read through aria-describedby: tie it only when shown.
  $('connect-code').setAttribute('aria-describedby', ready ? 'connect-code-hint connect-offered' : 'connect-code-hint');
}

/** Fills the code the demo offers (once, at start). */
function prefillOfferedCode() {
  const offered = state.info ? state.info.offered_code : null;
  if (offered && !$('connect-code').value.trim()) $('connect-code').value = offered;
}

/** @param {SubmitEvent} event */
async function onConnect(event) {
  event.preventDefault();
  if (state.connecting) return;
  const code = $('connect-code').value.trim();
  const password = $('connect-password').value;
  if (!code || !password) {
    setFormError('connect-error', uiError('invalid_input', { reason: t(code ? 'connect.missingPassword' : 'connect.missingCode') }));
    focus($(code ? 'connect-password' : 'connect-code'));
    return;
  }
  // An earlier error stays until this attempt's outcome replaces it.
  clearError();
  state.connecting = true;
  $('connect-form').setAttribute('aria-busy', 'true');
  renderConnect();
  /** @type {SessionDto | null} */
  let session = null;
  try {
    session = await connectLaptop(code, password);
  } catch (err) {
    const failure = asUiError(err).code;
    if (failure === 'already_connected' && state.info) {
      // Connected in the meantime (another window, a restart): the way in is the sign-in form.
      state.info.connected = true;
      showError(err);
      showEntryScreen();
    } else {
      setFormError('connect-error', err, CONNECT_SENTENCES);
      if (CODE_ERRORS.includes(failure)) focus($('connect-code'));
      else if (failure === 'bad_credentials') $('connect-password').select();
    }
  } finally {
    state.connecting = false;
    $('connect-form').removeAttribute('aria-busy');
    if (state.screen === 'connect-screen') renderConnect();
  }
  if (!session) return;
  setFormError('connect-error', null);
  $('connect-password').value = '';
  $('connect-code').value = '';
  if (state.info) {
    state.info.connected = true;
    state.info.offered_code = null;
  }
  try {
    await afterSignIn(session);
    setStatus(t('connect.done', { name: session.display_name }));
  } catch (err) {
    // The laptop is connected: from now on the way in is the sign-in form.
    forgetSession();
    showEntryScreen();
    showError(err);
  }
}

async function onOpenEnrolmentFile() {
  try {
    const text = await openEnrolmentFile(t('connect.fileDialog'));
    if (text == null) return;
    $('connect-code').value = text.trim();
    setFormError('connect-error', null);
    renderConnect();
    setStatus(t('connect.fileLoaded'));
    focus($('connect-password'));
  } catch (err) {
    setFormError('connect-error', err);
  }
}

// ---------------------------------------------------------------- password change (issue 14)

const PASSWORD_SENTENCES = {
  bad_credentials: 'password.currentWrong',
};

/** Codes about the new password: the cursor goes back to it. */
const NEW_PASSWORD_ERRORS = ['password_unchanged', 'password_too_short', 'password_too_long', 'password_too_simple',
  'password_common', 'password_contains_username'];

/**
 * The password form: forced after a sign-in with a one-time password (no
 * way to the workspace but changing it; signing out stays possible), or
 * chosen from the header.
 * @param {SessionDto} session
 * @param {boolean} [forced] defaults to what the session says
 */
function openPasswordScreen(session, forced = session.must_change_password) {
  if (forced) stopSyncStatus();
  state.session = session;
  state.passwordForced = forced;
  clearPasswordForm();
  showScreen('password-screen');
  focus($('password-title'));
}

function clearPasswordForm() {
  for (const id of ['password-current', 'password-new', 'password-confirm']) $(id).value = '';
  setFormError('password-error', null);
}

function renderPassword() {
  const forced = state.passwordForced;
  $('password-forced').hidden = !forced;
  $('password-cancel').hidden = forced;
  $('password-current-label').textContent = t(forced ? 'password.currentProvisional' : 'password.current');
}

/** @param {SubmitEvent} event */
async function onChangePassword(event) {
  event.preventDefault();
  const current = $('password-current').value;
  const next = $('password-new').value;
  const again = $('password-confirm').value;
  /** @type {[string, string] | null} */
  let problem = null;
  if (!current) problem = ['password-current', 'password.missingCurrent'];
  else if (!next) problem = ['password-new', 'password.missingNew'];
  else if (next !== again) problem = ['password-confirm', 'password.mismatch'];
  if (problem) {
    setFormError('password-error', uiError('invalid_input', { reason: t(problem[1]) }));
    focus($(problem[0]));
    return;
  }
  setFormError('password-error', null);
  const button = $('password-submit');
  button.disabled = true;
  setStatus(t('password.pending'));
  /** @type {SessionDto | null} */
  let session = null;
  try {
    session = await changePassword(current, next);
  } catch (err) {
    const code = asUiError(err).code;
    setFormError('password-error', err, PASSWORD_SENTENCES);
    if (code === 'bad_credentials') $('password-current').select();
    else if (NEW_PASSWORD_ERRORS.includes(code)) $('password-new').select();
    else if (code === 'not_signed_in') showError(err);
  } finally {
    button.disabled = false;
  }
  if (!session) return;
  const wasForced = state.passwordForced;
  clearPasswordForm();
  state.passwordForced = false;
  try {
    if (wasForced || !layout()) await enterWorkspace(session);
    else {
      state.session = session;
      showScreen('workspace');
      focus($('workspace-title'));
    }
    setStatus(t('password.changed'));
  } catch (err) {
    showError(err);
  }
}

function onCancelPassword() {
  if (state.passwordForced || !state.session) return;
  clearPasswordForm();
  showScreen('workspace');
  focus($('change-password-open'));
}

function onOpenPassword() {
  if (!state.session) return;
  openPasswordScreen(state.session, state.passwordForced || state.session.must_change_password);
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
        accounts: panels.buildAccountsPanel,
        statistics: panels.buildStatisticsPanel,
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
  $('change-password-open').addEventListener('click', onOpenPassword);
  $('connect-form').addEventListener('submit', onConnect);
  $('connect-open-file').addEventListener('click', onOpenEnrolmentFile);
  $('connect-code').addEventListener('input', () => renderConnect());
  $('password-form').addEventListener('submit', onChangePassword);
  $('password-cancel').addEventListener('click', onCancelPassword);
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
  if (!state.info.connected) {
    // A laptop not connected to a server: the office's code is the way in.
    prefillOfferedCode();
    showEntryScreen();
    if (state.info.offered_code) setStatus(t('connect.offered'));
    loadPanels().catch(() => {});
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
      await afterSignIn(session);
      return;
    } catch (err) {
      showError(err);
    }
  }
  showEntryScreen();
  // While the user types: the workspace's other modules.
  loadPanels().catch(() => {});
}

start();
