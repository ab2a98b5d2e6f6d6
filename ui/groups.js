// @ts-check
// The groups tab: headcounts, the contact list export (POL-15, DC-7), the
// office's messages (POL-26 respected by the core), and the planning of a
// group (resources, sessions, members) in a row under it (POL-10).

import {
  listGroups, exportContactList, queueMessages, messagePreview, groupSessions, registrations,
  planningResources, updateGroup, addSession, moveEnrolment, cancelEnrolment,
} from './commands.js';
import { t, label, formatCount } from './i18n.js';
import { h, headerRow, messageRow, fullName, select, field } from './dom.js';
import { formatDateTime, parisToUtc, typedToMinutes } from './format.js';
import { errorText } from './errors.js';
import { dateField } from './datefield.js';
import { vocab } from './vocab.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').GroupRow} GroupRow */

/** @param {Ctx} ctx */
export function buildGroupsPanel(ctx) {
  const table = h('table', { id: 'groups', class: 'data', 'aria-label': t('groups.label') },
    headerRow(['col.group', 'col.programme', 'col.trainer', 'col.schedule', 'col.room', 'col.headcount',
      'col.waitlisted', 'col.requested', 'col.actions'].map((key) => t(key))),
    h('tbody'));
  fillGroupRows(ctx, table.tBodies[0]);
  const groups = ctx.data.groups;
  if (groups.items === null && !groups.loading && !groups.failed) loadGroups(ctx);
  return h('div', { class: 'panel' }, h('div', { class: 'table-wrap' }, table));
}

/**
 * @param {Ctx} ctx
 * @param {HTMLTableSectionElement} tbody
 */
function fillGroupRows(ctx, tbody) {
  const groups = ctx.data.groups;
  if (groups.items === null) {
    tbody.replaceChildren(groups.failed
      ? messageRow(9, t('loadFailed'), () => { groups.failed = false; loadGroups(ctx); })
      : messageRow(9, t('loading')));
    return;
  }
  if (groups.items.length === 0) {
    tbody.replaceChildren(messageRow(9, t('groups.empty')));
    return;
  }
  tbody.replaceChildren(...groups.items.map((/** @type {GroupRow} */ g) => {
    const confirmed = Number(g.confirmed) || 0;
    const capacity = Number(g.capacity) || 0;
    const headcount = h('td', { class: confirmed >= capacity ? 'headcount full' : 'headcount' },
      h('span', { text: t('groups.headcount', { confirmed: formatCount(confirmed), capacity: formatCount(capacity) }) }),
      h('meter', {
        min: '0', max: String(Math.max(capacity, 1)), value: String(Math.min(confirmed, Math.max(capacity, 1))),
        'aria-hidden': 'true',
      }));
    return h('tr', { 'data-id': g.id },
      h('td', { class: 'strong', text: g.name }),
      h('td', { text: g.programme }),
      h('td', { text: g.trainer }),
      h('td', { text: g.schedule }),
      h('td', { text: g.room || t('none') }),
      headcount,
      h('td', { class: 'num', text: formatCount(Number(g.waitlisted) || 0) }),
      h('td', { class: 'num', text: formatCount(Number(g.requested) || 0) }),
      h('td', { class: 'actions' }, groupActions(ctx, g)));
  }));
}

/** @param {Ctx} ctx */
async function loadGroups(ctx) {
  const groups = ctx.data.groups;
  groups.loading = true;
  ctx.setStatus(t('loading'));
  try {
    const items = await listGroups();
    if (groups !== ctx.data.groups) return;
    groups.items = items;
    ctx.clearError();
    ctx.setStatus('');
  } catch (err) {
    if (groups !== ctx.data.groups) return;
    groups.failed = true;
    ctx.showError(err);
  } finally {
    groups.loading = false;
  }
  const tbody = document.querySelector('#groups tbody');
  if (tbody) fillGroupRows(ctx, /** @type {HTMLTableSectionElement} */ (tbody));
}

// ---------------------------------------------------------------- group actions

/**
 * The next session of a group still to come, if any.
 * @param {string} groupId
 */
async function nextSession(groupId) {
  const sessions = await groupSessions(groupId);
  return sessions.find((s) => new Date(s.starts_at) > new Date()) || null;
}

/**
 * @param {Ctx} ctx
 * @param {GroupRow} group
 */
function groupActions(ctx, group) {
  const result = h('span', { class: 'result', role: 'status' });
  const exportButton = h('button', {
    type: 'button', class: 'btn btn-small export-list', text: t('export.button'),
    'aria-label': t('export.buttonLabel', { name: group.name }),
  });
  exportButton.addEventListener('click', async () => {
    try {
      const done = await exportContactList(group.id, t('dialog.exportList'));
      ctx.clearError();
      result.textContent = done.saved ? t('export.saved', { rows: done.rows }) : t('export.cancelled');
      ctx.setStatus(result.textContent);
    } catch (err) {
      ctx.showError(err);
    }
  });
  if (!['administrator', 'dpo'].includes(ctx.role || '')) return h('div', { class: 'decision' }, exportButton, result);

  const template = select(vocab().templates, (name) => label('template', name),
    { class: 'template-select', 'aria-label': t('messages.template') });
  const chosen = () => /** @type {import('./bindings').Template} */ (template.value);
  const queue = h('button', { type: 'button', class: 'btn btn-small queue-messages', text: t('messages.queue'),
    'aria-label': t('messages.queueLabel', { name: group.name }) });
  queue.addEventListener('click', async () => {
    try {
      let sessionId = null;
      if (chosen() === 'webinar_reminder') {
        const next = await nextSession(group.id);
        if (!next) {
          result.textContent = t('messages.noSession');
          return;
        }
        sessionId = next.id;
      }
      const queued = await queueMessages(chosen(), group.id, sessionId, group.programme_id);
      ctx.clearError();
      result.textContent = t('messages.queued', { queued: queued.queued, skipped: queued.skipped.length });
      ctx.setStatus(result.textContent);
    } catch (err) {
      ctx.showError(err);
    }
  });
  const preview = h('button', { type: 'button', class: 'btn btn-small preview-message', text: t('messages.preview') });
  const previewBox = h('pre', { class: 'message-preview', hidden: true });
  preview.addEventListener('click', async () => {
    try {
      const people = await registrations(group.id);
      const first = people.find((p) => p.status === 'confirmed');
      if (!first) {
        result.textContent = t('messages.nobody');
        return;
      }
      const next = chosen() === 'webinar_reminder' ? await nextSession(group.id) : null;
      const shown = await messagePreview(chosen(), first.participant_id, next ? next.id : null, group.id,
        group.programme_id);
      previewBox.textContent = `${shown.subject}\n\n${shown.body}`;
      previewBox.hidden = false;
      ctx.clearError();
    } catch (err) {
      ctx.showError(err);
    }
  });
  const plan = h('button', { type: 'button', class: 'btn btn-small open-planning', text: t('planning.open'),
    'aria-label': t('planning.openLabel', { name: group.name }), 'aria-expanded': 'false' });
  // The planning form opens in a full-width row under the group's row.
  const planBox = h('div', { class: 'planning-box stack' });
  plan.addEventListener('click', () => {
    const row = plan.closest('tr');
    if (!row) return;
    const next = row.nextElementSibling;
    if (next && next.classList.contains('planning-row')) {
      next.remove();
      plan.setAttribute('aria-expanded', 'false');
      return;
    }
    row.after(h('tr', { class: 'planning-row', 'data-group': group.id },
      h('td', { colspan: String(row.cells.length) }, planBox)));
    plan.setAttribute('aria-expanded', 'true');
    buildPlanning(ctx, group, planBox);
  });
  return h('div', { class: 'decision' }, exportButton, template, preview, queue, plan, result, previewBox);
}

// ---------------------------------------------------------------- planning

/**
 * @param {HTMLElement} node
 * @param {string} text
 * @param {boolean} refused
 * @returns {string} the text, to say it in the live region too
 */
function say(node, text, refused) {
  node.textContent = text;
  node.classList.toggle('refused', refused);
  return text;
}

/**
 * @param {Ctx} ctx
 * @param {GroupRow} group
 * @param {HTMLElement} box
 */
async function buildPlanning(ctx, group, box) {
  let resources;
  let sessions;
  try {
    [resources, sessions] = await Promise.all([planningResources(), groupSessions(group.id)]);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  const result = h('p', { class: 'result planning-result', role: 'status' });
  const trainer = h('select', { class: 'plan-trainer', 'aria-label': t('planning.trainer') },
    resources.trainers.filter((x) => !x.external).map((x) =>
      h('option', { value: x.id, text: x.display_name, selected: x.display_name === group.trainer })));
  const room = h('select', { class: 'plan-room', 'aria-label': t('planning.room') },
    h('option', { value: '', text: t('planning.noRoom') }),
    resources.rooms.map((r) => h('option', {
      value: r.id, text: t('planning.roomOption', { name: r.name, seats: r.capacity }), selected: r.name === group.room,
    })));
  const capacity = h('input', { type: 'number', min: '1', class: 'plan-capacity', value: String(group.capacity),
    'aria-label': t('planning.capacity') });
  const save = h('button', { type: 'button', class: 'btn btn-small save-group', text: t('planning.save') });
  save.addEventListener('click', async () => {
    try {
      // An empty room id takes the room away (a webinar group); null would leave it as it is.
      await updateGroup(group.id, trainer.value || null, room.value, Number(capacity.value) || null);
      ctx.setStatus(say(result, t('planning.saved'), false));
    } catch (err) {
      say(result, errorText(err), true);
    }
  });

  const title = h('input', { type: 'text', class: 'plan-title', maxlength: '200' });
  const kind = select(vocab().session_kinds, (k) => label('kind', k), { class: 'plan-kind' });
  const day = dateField({ id: `plan-day-${group.id}`, label: t('planning.day'), lang: ctx.lang(), className: 'plan-day' });
  const time = h('input', { type: 'text', class: 'plan-time', inputmode: 'numeric', size: 5, maxlength: 5,
    placeholder: t('planning.timePattern') });
  const minutes = h('input', { type: 'number', min: '15', step: '15', value: '90', class: 'plan-minutes' });
  const add = h('button', { type: 'button', class: 'btn btn-small add-session', text: t('planning.addSession') });
  add.addEventListener('click', async () => {
    // Day and time are Paris wall-clock time; the core stores UTC.
    const isoDay = day.iso();
    const at = typedToMinutes(time.value);
    if (!day.check() || isoDay === null || at === null) {
      say(result, t('planning.needStart'), true);
      (isoDay === null ? day.input : time).focus();
      return;
    }
    const start = parisToUtc(isoDay, at);
    const end = new Date(start.getTime() + Number(minutes.value) * 60000);
    try {
      await addSession(group.id, title.value, /** @type {import('./bindings').SessionKind} */ (kind.value),
        start.toISOString(), end.toISOString(), room.value || null);
      ctx.setStatus(say(result, t('planning.sessionAdded'), false));
      await buildPlanning(ctx, group, box);
    } catch (err) {
      say(result, errorText(err), true);
    }
  });
  const list = sessions.length === 0 ? h('p', { class: 'empty', text: t('planning.noSessions') })
    : h('ul', { class: 'plain-list plan-sessions' }, sessions.map((x) => h('li', { 'data-id': x.id },
      `${formatDateTime(x.starts_at, ctx.lang())} — ${x.title}`)));
  const members = h('div', { class: 'plan-members' });
  box.replaceChildren(
    h('h4', { text: t('planning.groupTitle') }), h('div', { class: 'toolbar' }, trainer, room, capacity, save),
    h('h4', { text: t('planning.sessionsTitle') }), list,
    h('div', { class: 'toolbar plan-new-session' },
      field(`plan-title-${group.id}`, t('planning.title'), title),
      field(`plan-kind-${group.id}`, t('planning.kind'), kind),
      day.node,
      field(`plan-time-${group.id}`, t('planning.time'), time),
      field(`plan-minutes-${group.id}`, t('planning.minutes'), minutes),
      add),
    result,
    h('h4', { text: t('planning.membersTitle') }), members);
  fillMembers(ctx, group, members);
}

/**
 * The group's people (confirmed, waitlisted, requested), with moves and cancellations.
 * @param {Ctx} ctx
 * @param {GroupRow} group
 * @param {HTMLElement} box
 */
async function fillMembers(ctx, group, box) {
  let people;
  let groups;
  try {
    [people, groups] = await Promise.all([registrations(group.id), listGroups()]);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  const siblings = groups.filter((g) => g.programme_id === group.programme_id && g.id !== group.id);
  if (people.length === 0) {
    box.replaceChildren(h('p', { class: 'empty', text: t('planning.noMembers') }));
    return;
  }
  const result = h('p', { class: 'result members-result', role: 'status' });
  const rows = people.map((r) => {
    const name = fullName(r);
    const target = h('select', { class: 'move-target', 'aria-label': t('registrations.groupFor', { name }) },
      siblings.map((g) => h('option', { value: g.id,
        text: t('registrations.groupOption', { name: g.name, confirmed: g.confirmed, capacity: g.capacity }) })));
    const move = h('button', { type: 'button', class: 'btn btn-small move-member', text: t('registrations.move'),
      'aria-label': t('registrations.moveFor', { name }), disabled: siblings.length === 0 });
    const cancel = h('button', { type: 'button', class: 'btn btn-small cancel-member', text: t('registrations.cancel'),
      'aria-label': t('registrations.cancelFor', { name }) });
    move.addEventListener('click', async () => {
      try {
        const offer = await moveEnrolment(r.enrolment_id, target.value);
        const moved = t('registrations.moved', { name });
        ctx.setStatus(say(result, offer ? `${moved} ${t('planning.offered')}` : moved, false));
        await fillMembers(ctx, group, box);
      } catch (err) {
        say(result, errorText(err), true);
      }
      box.append(result);
    });
    cancel.addEventListener('click', async () => {
      try {
        const offer = await cancelEnrolment(r.enrolment_id);
        ctx.setStatus(say(result, offer ? t('registrations.offered') : t('registrations.cancelled'), false));
        await fillMembers(ctx, group, box);
        box.append(result);
      } catch (err) {
        ctx.showError(err);
      }
    });
    return h('tr', { 'data-id': r.enrolment_id, 'data-status': r.status },
      h('td', { text: name }), h('td', { text: label('enrolment', r.status) }),
      h('td', {}, h('span', { class: `badge payment-${r.payment}`, text: label('payment', r.payment) })),
      h('td', { class: 'decision' }, target, move, cancel));
  });
  box.replaceChildren(h('table', { class: 'data members', 'aria-label': t('planning.membersTitle') },
    headerRow([t('col.name'), t('col.status'), t('col.payment'), t('col.decision')]), h('tbody', {}, rows)));
}
