// @ts-check
// The "Comptes" tab (issue 14, POL-18): the administrator (every role but
// the DPO) and the DPO (DPO accounts) create staff accounts, reset a
// forgotten password, make a code for one more laptop, deactivate someone
// who leaves, and revoke a lost or stolen laptop. One-time passwords and
// codes are shown once (#staff-issued) and kept in memory only until
// "Terminé" or sign-out. The laptop list is asked live from the server: when
// it is out of reach, the rest of the tab keeps working.

import {
  staffAccounts, createStaff, resetStaffPassword, issueEnrolmentCode, deactivateStaff, laptops, revokeLaptop,
  saveEnrolmentCode,
} from './commands.js';
import { t, tc, label } from './i18n.js';
import { h, $, focus, headerRow, messageRow, field } from './dom.js';
import { asUiError, errorText, uiError } from './errors.js';
import { formatDateTime } from './format.js';
import { confirmInPage } from './confirm.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').StaffRow} StaffRow */
/** @typedef {import('./bindings').DeviceRow} DeviceRow */
/** @typedef {import('./bindings').Issued} Issued */
/** @typedef {import('./bindings').GroupToReassign} GroupToReassign */
/** @typedef {import('./bindings').Role} Role */
/** @typedef {import('./bindings').UiError} UiError */

/**
 * @typedef {object} AccountsData
 * @property {StaffRow[] | null} staff
 * @property {boolean} staffFailed
 * @property {boolean} staffLoading
 * @property {DeviceRow[] | null} devices
 * @property {UiError | null} devicesError
 * @property {boolean} devicesLoading
 * @property {string[]} revoking Laptops revoked from here that the server does not show revoked yet.
 * @property {{ kind: 'created' | 'reset' | 'code', name: string, issued: Issued } | null} issued
 * @property {{ name: string, laptops: number | null, groups: GroupToReassign[] } | null} deactivated
 */

/** The roles each manager may create (the core decides; this only fills the list). */
const CREATABLE = {
  administrator: /** @type {Role[]} */ (['trainer', 'external_trainer', 'administrator', 'support']),
  dpo: /** @type {Role[]} */ (['dpo']),
};

const STAFF_COLUMNS = 5;
const LAPTOP_COLUMNS = 6;

/**
 * @param {Ctx} ctx
 * @returns {AccountsData}
 */
function accountsData(ctx) {
  if (!ctx.data.accounts) {
    ctx.data.accounts = {
      staff: null, staffFailed: false, staffLoading: false,
      devices: null, devicesError: null, devicesLoading: false, revoking: [],
      issued: null, deactivated: null,
    };
  }
  return ctx.data.accounts;
}

/** @param {Ctx} ctx */
export function buildAccountsPanel(ctx) {
  const data = accountsData(ctx);
  const panel = h('div', { class: 'panel stack accounts', id: 'accounts-panel' },
    h('p', { class: 'muted lead', text: t('accounts.help') }),
    buildCreateForm(ctx),
    h('section', { id: 'staff-issued', class: 'issued', 'aria-labelledby': 'staff-issued-title', hidden: true }),
    h('section', { id: 'staff-deactivated', class: 'deactivated', 'aria-labelledby': 'staff-deactivated-title',
      hidden: true }),
    h('section', { class: 'accounts-section', 'aria-labelledby': 'staff-list-title' },
      h('h2', { id: 'staff-list-title', tabindex: '-1', text: t('accounts.listTitle') }),
      h('div', { class: 'table-wrap' },
        h('table', { id: 'staff-list', class: 'data', 'aria-labelledby': 'staff-list-title' },
          headerRow([t('accounts.col.name'), t('accounts.col.username'), t('accounts.col.role'),
            t('accounts.col.status'), t('col.actions')]),
          h('tbody')))),
    h('section', { class: 'accounts-section', 'aria-labelledby': 'laptops-title' },
      h('h2', { id: 'laptops-title', tabindex: '-1', text: t('accounts.laptops.title') }),
      h('p', { class: 'muted', text: t('accounts.laptops.help') }),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', id: 'laptops-refresh', class: 'btn', text: t('accounts.laptops.refresh'),
          onClick: () => loadLaptops(ctx, true) })),
      h('div', { id: 'laptops-error', class: 'alert notice', role: 'alert' }),
      h('div', { class: 'table-wrap' },
        h('table', { id: 'laptops-list', class: 'data', 'aria-labelledby': 'laptops-title' },
          headerRow([t('accounts.laptops.col.owner'), t('accounts.laptops.col.label'),
            t('accounts.laptops.col.registered'), t('accounts.laptops.col.lastContact'),
            t('accounts.laptops.col.status'), t('col.actions')]),
          h('tbody')))));
  // The tab's nodes are found by id once the panel is in the document.
  queueMicrotask(() => {
    renderIssued(ctx);
    renderDeactivated(ctx);
    renderStaff(ctx);
    renderLaptops(ctx);
  });
  if (data.staff === null && !data.staffLoading && !data.staffFailed) loadStaff(ctx);
  if (data.devices === null && !data.devicesLoading && !data.devicesError) loadLaptops(ctx, false);
  return panel;
}

// ---------------------------------------------------------------- create

/** @param {Ctx} ctx */
function buildCreateForm(ctx) {
  const roles = (ctx.role && /** @type {Record<string, Role[]>} */ (CREATABLE)[ctx.role]) || [];
  const username = h('input', { type: 'text', maxlength: '64', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false' });
  const name = h('input', { type: 'text', maxlength: '120', autocomplete: 'off' });
  const role = h('select', {}, roles.map((value) => h('option', { value, text: label('role', value) })));
  const submit = h('button', { type: 'submit', id: 'staff-create-submit', class: 'btn btn-primary',
    text: t('accounts.create.submit') });
  const form = h('form', { id: 'staff-create-form', class: 'form-card', novalidate: true,
    'aria-labelledby': 'staff-create-title' },
  h('h2', { id: 'staff-create-title', text: t('accounts.create.title') }),
  h('p', { class: 'muted', text: t('accounts.create.help') }),
  h('div', { class: 'form-row' },
    field('staff-create-username', t('accounts.create.username'), username, t('accounts.create.usernameHint')),
    field('staff-create-name', t('accounts.create.name'), name, t('accounts.create.nameHint')),
    field('staff-create-role', t('accounts.create.role'), role),
    h('div', { class: 'field' }, submit)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const wanted = username.value.trim();
    const shown = name.value.trim();
    if (!wanted || !shown) {
      ctx.showError(uiError('invalid_input', { reason: t(wanted ? 'accounts.create.missingName' : 'accounts.create.missingUsername') }));
      focus(wanted ? name : username);
      return;
    }
    ctx.clearError();
    submit.disabled = true;
    try {
      const issued = await createStaff(wanted, shown, /** @type {Role} */ (role.value));
      username.value = '';
      name.value = '';
      showIssued(ctx, 'created', shown, issued);
      loadStaff(ctx);
    } catch (err) {
      ctx.showError(err);
      if (asUiError(err).code === 'username_taken') username.select();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// ---------------------------------------------------------------- shown once

/**
 * @param {Ctx} ctx
 * @param {'created' | 'reset' | 'code'} kind
 * @param {string} name
 * @param {Issued} issued
 */
function showIssued(ctx, kind, name, issued) {
  const data = accountsData(ctx);
  data.issued = { kind, name, issued };
  data.deactivated = null;
  renderDeactivated(ctx);
  renderIssued(ctx);
  ctx.setStatus(t(`accounts.issued.title.${kind}`, { name }));
  focus($('staff-issued-title'));
}

/** @param {Ctx} ctx */
function renderIssued(ctx) {
  const box = $('staff-issued');
  if (!box) return;
  const shown = accountsData(ctx).issued;
  box.hidden = !shown;
  if (!shown) {
    box.replaceChildren();
    return;
  }
  const { kind, name, issued } = shown;
  const result = h('p', { id: 'staff-issued-result', class: 'result', role: 'status' });
  const codeBox = h('textarea', { readonly: true, rows: '4', class: 'code-text', spellcheck: 'false',
    value: issued.code });
  const password = issued.one_time_password;
  box.replaceChildren(
    h('h3', { id: 'staff-issued-title', tabindex: '-1', text: t(`accounts.issued.title.${kind}`, { name }) }),
    h('p', { class: 'strong-line', text: t('accounts.issued.once') }),
    password ? h('div', { class: 'issued-password' },
      h('span', { id: 'staff-issued-password-label', class: 'issued-label', text: t('accounts.issued.password') }),
      h('code', { id: 'staff-issued-password', class: 'one-time-password', text: password })) : null,
    field('staff-issued-code', t('accounts.issued.code'), codeBox),
    h('p', { id: 'staff-issued-expiry', text: t('accounts.issued.expires',
      { when: formatDateTime(issued.expires_at, ctx.lang()) }) }),
    h('p', { class: 'fingerprint' },
      h('span', { class: 'issued-label', text: t('accounts.issued.fingerprint') }), ' ',
      h('code', { id: 'staff-issued-fingerprint', text: issued.fingerprint })),
    h('p', { class: 'muted', text: t('accounts.issued.fingerprintHelp') }),
    h('p', { id: 'staff-issued-instruction', class: 'instruction',
      text: t(password ? 'accounts.issued.instruction' : 'accounts.issued.instructionCodeOnly') }),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'staff-issued-copy', class: 'btn', text: t('accounts.issued.copy'),
        onClick: () => copyCode(issued.code, result, codeBox) }),
      h('button', { type: 'button', id: 'staff-issued-save', class: 'btn', text: t('accounts.issued.save'),
        onClick: () => saveCode(ctx, issued.code, result) }),
      h('button', { type: 'button', id: 'staff-issued-done', class: 'btn btn-primary', text: t('accounts.issued.done'),
        onClick: () => {
          accountsData(ctx).issued = null;
          renderIssued(ctx);
          ctx.setStatus(t('accounts.issued.hidden'));
          focus($('staff-create-username'));
        } })),
    result);
}

/**
 * Copies the code; a refused clipboard says nothing (the code stays selected to copy by hand).
 * @param {string} code
 * @param {HTMLElement} result
 * @param {HTMLTextAreaElement} codeBox
 */
async function copyCode(code, result, codeBox) {
  try {
    await navigator.clipboard.writeText(code);
    result.textContent = t('accounts.issued.copied');
  } catch {
    codeBox.select();
  }
}

/**
 * @param {Ctx} ctx
 * @param {string} code
 * @param {HTMLElement} result
 */
async function saveCode(ctx, code, result) {
  ctx.clearError();
  try {
    const saved = await saveEnrolmentCode(code, t('accounts.issued.saveDialog'));
    if (saved) result.textContent = t('accounts.issued.saved');
  } catch (err) {
    ctx.showError(err);
  }
}

// ---------------------------------------------------------------- accounts

/** @param {Ctx} ctx */
async function loadStaff(ctx) {
  const data = accountsData(ctx);
  data.staffLoading = true;
  try {
    data.staff = await staffAccounts();
    data.staffFailed = false;
  } catch (err) {
    data.staffFailed = true;
    ctx.showError(err);
  } finally {
    data.staffLoading = false;
  }
  renderStaff(ctx);
}

/** @param {Ctx} ctx */
function renderStaff(ctx) {
  const table = $('staff-list');
  if (!table) return;
  const tbody = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  const data = accountsData(ctx);
  if (data.staff === null) {
    tbody.replaceChildren(messageRow(STAFF_COLUMNS, data.staffFailed ? t('loadFailed') : t('loading'),
      data.staffFailed ? () => { data.staffFailed = false; loadStaff(ctx); } : null));
    return;
  }
  if (data.staff.length === 0) {
    tbody.replaceChildren(messageRow(STAFF_COLUMNS, t('accounts.empty')));
    return;
  }
  tbody.replaceChildren(...data.staff.map((row) => staffRow(ctx, row)));
}

/** @param {StaffRow} row */
function staffStatus(row) {
  if (!row.active) return 'inactive';
  return row.must_change_password ? 'provisional' : 'active';
}

/**
 * @param {Ctx} ctx
 * @param {StaffRow} row
 */
function staffRow(ctx, row) {
  const name = row.display_name;
  const status = staffStatus(row);
  // One's own account: a code for one's own new laptop, never a reset or a
  // deactivation (the core refuses them: own_account).
  const actions = row.manageable && row.active ? [
    row.own ? null : h('button', { type: 'button', class: 'btn btn-small staff-reset', text: t('accounts.reset'),
      'aria-label': t('accounts.resetFor', { name }),
      onClick: () => issueFor(ctx, 'reset', row) }),
    h('button', { type: 'button', class: 'btn btn-small staff-code', text: t('accounts.code'),
      'aria-label': t('accounts.codeFor', { name }),
      onClick: () => issueFor(ctx, 'code', row) }),
    row.own ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger staff-deactivate', text: t('accounts.deactivate'),
      'aria-label': t('accounts.deactivateFor', { name }),
      onClick: () => deactivate(ctx, row) }),
  ].filter((button) => button !== null) : [h('span', { class: 'muted', text: t('none') })];
  return h('tr', { 'data-staff-id': row.id, 'data-status': status, class: row.active ? null : 'closed' },
    h('td', { class: 'strong', text: name }),
    h('td', {}, h('code', { text: row.username })),
    h('td', { text: label('role', row.role) }),
    h('td', {}, h('span', { class: `badge account-${status}`, text: t(`accounts.status.${status}`) })),
    h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, actions)));
}

/**
 * A new one-time password and code (reset), or a code alone (one more laptop).
 * @param {Ctx} ctx
 * @param {'reset' | 'code'} kind
 * @param {StaffRow} row
 */
async function issueFor(ctx, kind, row) {
  ctx.clearError();
  try {
    const issued = kind === 'reset' ? await resetStaffPassword(row.id) : await issueEnrolmentCode(row.id);
    showIssued(ctx, kind, row.display_name, issued);
    if (kind === 'reset') loadStaff(ctx);
  } catch (err) {
    ctx.showError(err);
  }
}

/**
 * @param {Ctx} ctx
 * @param {StaffRow} row
 */
async function deactivate(ctx, row) {
  const name = row.display_name;
  const yes = await confirmInPage(t('accounts.deactivateConfirm', { name }),
    { confirmLabel: t('accounts.deactivate') });
  if (!yes) return;
  ctx.clearError();
  const data = accountsData(ctx);
  // The laptops the server knew for this person before (this laptop's own copy may hold none).
  const live = data.devices
    ? data.devices.filter((d) => d.staff_id === row.id && !d.revoked_at).length : null;
  try {
    const done = await deactivateStaff(row.id);
    const count = live === null ? (done.revoked_devices > 0 ? done.revoked_devices : null)
      : Math.max(live, done.revoked_devices);
    data.deactivated = { name, laptops: count, groups: done.groups };
    data.issued = null;
    renderIssued(ctx);
    renderDeactivated(ctx);
    ctx.setStatus(t('accounts.deactivated.title', { name }));
    focus($('staff-deactivated-title'));
    loadStaff(ctx);
    loadLaptops(ctx, false);
  } catch (err) {
    ctx.showError(err);
  }
}

/** @param {Ctx} ctx */
function renderDeactivated(ctx) {
  const box = $('staff-deactivated');
  if (!box) return;
  const shown = accountsData(ctx).deactivated;
  box.hidden = !shown;
  if (!shown) {
    box.replaceChildren();
    return;
  }
  const laptopsText = shown.laptops === null ? t('accounts.deactivated.laptopsUnknown')
    : shown.laptops === 0 ? t('accounts.deactivated.noLaptops')
      : tc('accounts.deactivated.laptops', shown.laptops);
  box.replaceChildren(
    h('h3', { id: 'staff-deactivated-title', tabindex: '-1', text: t('accounts.deactivated.title', { name: shown.name }) }),
    h('p', { id: 'staff-deactivated-laptops', text: laptopsText }),
    shown.groups.length
      ? [h('p', { text: t('accounts.deactivated.groups') }),
        h('ul', { id: 'staff-deactivated-groups', class: 'plain-list' },
          shown.groups.map((g) => h('li', { 'data-group-id': g.id, text: g.name })))]
      : h('p', { id: 'staff-deactivated-groups', text: t('accounts.deactivated.noGroups') }),
    h('p', { class: 'strong-line', text: t('accounts.deactivated.kept') }),
    h('button', { type: 'button', id: 'staff-deactivated-done', class: 'btn', text: t('accounts.deactivated.done'),
      onClick: () => {
        accountsData(ctx).deactivated = null;
        renderDeactivated(ctx);
        focus($('staff-list-title'));
      } }));
}

// ---------------------------------------------------------------- laptops

/**
 * @param {Ctx} ctx
 * @param {boolean} asked the person pressed "refresh" (say the outcome)
 */
async function loadLaptops(ctx, asked) {
  const data = accountsData(ctx);
  if (data.devicesLoading) return;
  data.devicesLoading = true;
  const button = $('laptops-refresh');
  if (button) button.disabled = true;
  renderLaptops(ctx);
  try {
    const rows = await laptops();
    data.devices = rows;
    data.devicesError = null;
    // A revocation the server now shows is no longer waiting.
    data.revoking = data.revoking.filter((id) => rows.some((d) => d.id === id && !d.revoked_at));
    if (asked) ctx.setStatus(tc('accounts.laptops.count', rows.length));
  } catch (err) {
    data.devicesError = asUiError(err);
  } finally {
    data.devicesLoading = false;
    const again = $('laptops-refresh');
    if (again) again.disabled = false;
  }
  renderLaptops(ctx);
}

/** @param {Ctx} ctx */
function renderLaptops(ctx) {
  const table = $('laptops-list');
  if (!table) return;
  const data = accountsData(ctx);
  const errorBox = $('laptops-error');
  const failure = data.devicesError;
  if (errorBox) {
    errorBox.replaceChildren(...(failure && !data.devicesLoading ? [h('p', { 'data-code': failure.code,
      text: failure.code === 'offline' ? t('accounts.laptops.offline')
        : failure.code === 'not_configured' ? t('accounts.laptops.notConfigured')
          : `${t('accounts.laptops.failed')} ${errorText(failure)}` })] : []));
  }
  const tbody = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  if (data.devicesLoading && data.devices === null) {
    tbody.replaceChildren(messageRow(LAPTOP_COLUMNS, t('loading')));
    return;
  }
  if (data.devices === null) {
    tbody.replaceChildren(messageRow(LAPTOP_COLUMNS, t('accounts.laptops.unavailable')));
    return;
  }
  if (data.devices.length === 0) {
    tbody.replaceChildren(messageRow(LAPTOP_COLUMNS, t('accounts.laptops.empty')));
    return;
  }
  tbody.replaceChildren(...data.devices.map((row) => laptopRow(ctx, row)));
}

/**
 * @param {Ctx} ctx
 * @param {DeviceRow} row
 */
function laptopRow(ctx, row) {
  const lang = ctx.lang();
  const pending = !row.revoked_at && accountsData(ctx).revoking.includes(row.id);
  const status = row.revoked_at ? 'revoked' : pending ? 'pending' : 'active';
  const statusText = row.revoked_at
    ? t('accounts.laptops.revokedOn', { when: formatDateTime(row.revoked_at, lang) })
    : t(`accounts.laptops.status.${status}`);
  const owner = row.display_name;
  const action = row.manageable && status === 'active'
    ? h('button', { type: 'button', class: 'btn btn-small btn-danger laptop-revoke', text: t('accounts.laptops.revoke'),
      'aria-label': t('accounts.laptops.revokeFor', { label: row.label, name: owner }),
      onClick: () => revoke(ctx, row) })
    : h('span', { class: 'muted', text: t('none') });
  return h('tr', { 'data-device-id': row.id, 'data-status': status, class: row.revoked_at ? 'closed' : null },
    h('td', {}, h('span', { class: 'strong', text: owner }), h('br'), h('code', { class: 'muted', text: row.username })),
    h('td', { text: row.label }),
    h('td', { class: 'nowrap', text: formatDateTime(row.registered_at, lang) }),
    h('td', { class: 'nowrap', text: row.last_contact_at ? formatDateTime(row.last_contact_at, lang)
      : t('accounts.laptops.never') }),
    h('td', {}, h('span', { class: `badge laptop-${status}`, text: statusText })),
    h('td', { class: 'actions' }, action));
}

/**
 * @param {Ctx} ctx
 * @param {DeviceRow} row
 */
async function revoke(ctx, row) {
  const yes = await confirmInPage(t('accounts.laptops.revokeConfirm', { label: row.label, name: row.display_name }),
    { confirmLabel: t('accounts.laptops.revokeYes') });
  if (!yes) return;
  ctx.clearError();
  try {
    // True or false, the revocation goes to the server (false: this laptop held no copy of it).
    await revokeLaptop(row.id);
    const data = accountsData(ctx);
    if (!data.revoking.includes(row.id)) data.revoking.push(row.id);
    renderLaptops(ctx);
    ctx.setStatus(t('accounts.laptops.revoked', { label: row.label }));
    focus($('laptops-title'));
    loadLaptops(ctx, false);
  } catch (err) {
    ctx.showError(err);
  }
}
