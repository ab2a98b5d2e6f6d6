// Trainer sessions and preparation sheets (ROLE-1, POL-9), the office's
// registrations with the payment gate (ROLE-3, POL-10). The backend decides
// what may be seen and done; these views only show its answers.

import * as api from './api.js';
import { t, tc } from './i18n.js';
import { formatDateTime } from './format.js';

// ctx: { el, headerRow, messageRow, fullName, showError, clearError, setStatus, focus, lang, data }

// ---------------------------------------------------------------- sessions

export function buildSessionsPanel(ctx) {
  const { el, data } = ctx;
  if (!data.sessions) data.sessions = { items: null, loading: false, failed: false };
  const panel = el('div', { class: 'panel stack', id: 'sessions-panel' });
  if (data.sheet) {
    panel.append(buildSheet(ctx, data.sheet));
    return panel;
  }
  const table = el('table', { id: 'sessions', class: 'data', 'aria-label': t('sessions.label') },
    ctx.headerRow([t('col.when'), t('col.session'), t('col.group'), t('col.room'), t('col.enrolled'), t('col.actions')]),
    el('tbody'));
  // Import options and results above the list, where the office looks first.
  if (['trainer', 'administrator', 'dpo'].includes(ctx.role)) {
    panel.append(
      el('label', { class: 'inline-check' },
        el('input', { type: 'checkbox', id: 'import-day-first' }), ' ', t('import.dayFirst')),
      el('section', { id: 'import-result', class: 'stack', tabindex: '-1', 'aria-live': 'polite' }));
  }
  panel.append(el('div', { class: 'table-wrap' }, table));
  fillSessions(ctx, table.tBodies[0]);
  const list = data.sessions;
  if (list.items === null && !list.loading && !list.failed) loadSessions(ctx);
  return panel;
}

function fillSessions(ctx, tbody) {
  const { el } = ctx;
  const list = ctx.data.sessions;
  if (list.items === null) {
    tbody.replaceChildren(ctx.messageRow(6, list.failed ? t('loadFailed') : t('loading')));
    return;
  }
  if (list.items.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('sessions.empty')));
    return;
  }
  tbody.replaceChildren(...list.items.map((s) => el('tr', { 'data-id': s.id },
    el('td', { class: 'nowrap', text: formatDateTime(s.starts_at, ctx.lang()) }),
    el('td', { text: s.title }),
    el('td', { text: s.group_name }),
    el('td', { text: s.room || t(`kind.${s.kind}`) }),
    el('td', { class: 'num', text: String(s.enrolled) }),
    el('td', { class: 'actions' },
      ['trainer', 'dpo'].includes(ctx.role) ? el('button', {
        type: 'button', class: 'btn btn-small open-sheet', text: t('sessions.prepare'),
        'aria-label': t('sessions.prepareLabel', { title: s.title }),
        onClick: () => openSheet(ctx, s.id),
      }) : null,
      ['trainer', 'administrator', 'dpo'].includes(ctx.role) ? el('button', {
        type: 'button', class: 'btn btn-small import-report', text: t('import.button'),
        'aria-label': t('import.buttonLabel', { title: s.title }),
        onClick: () => importReport(ctx, s.id),
      }) : null))));
}

async function loadSessions(ctx) {
  const list = ctx.data.sessions;
  list.loading = true;
  try {
    list.items = await api.upcomingSessions();
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
  if (tbody) fillSessions(ctx, tbody);
}

async function openSheet(ctx, sessionId, keepFocus) {
  try {
    const sheet = await api.preparationSheet(sessionId);
    ctx.data.sheet = sheet;
    ctx.clearError();
    ctx.rerender();
    if (!keepFocus) ctx.focus(document.getElementById('sheet-title'));
    ctx.setStatus(t('sheet.opened', { title: sheet.session.title }));
  } catch (err) {
    ctx.showError(err);
  }
}

function buildSheet(ctx, sheet) {
  const { el } = ctx;
  const back = el('button', {
    type: 'button', class: 'btn back-to-sessions', text: t('sheet.back'),
    onClick: () => { ctx.data.sheet = null; ctx.rerender(); ctx.focus(document.querySelector('#sessions .open-sheet')); },
  });
  const s = sheet.session;
  const head = el('div', { class: 'profile-head' }, back,
    el('h2', { id: 'sheet-title', tabindex: '-1', text: s.title }));
  const meta = el('p', { class: 'muted', text: t('sheet.meta', {
    when: formatDateTime(s.starts_at, ctx.lang()), group: s.group_name, count: sheet.participants.length,
    past: sheet.past_sessions,
  }) });
  const entries = sheet.participants.length === 0
    ? [el('p', { class: 'empty', text: t('sheet.empty') })]
    : sheet.participants.map((p) => buildSheetEntry(ctx, sheet, p));
  return el('section', { id: 'sheet', class: 'stack', 'aria-labelledby': 'sheet-title' }, head, meta, ...entries);
}

function listOrEmpty(ctx, items, render, emptyKey) {
  const { el } = ctx;
  if (!items || items.length === 0) return el('p', { class: 'empty', text: t(emptyKey) });
  return el('ul', { class: 'plain-list' }, items.map(render));
}

function buildSheetEntry(ctx, sheet, p) {
  const { el } = ctx;
  const name = ctx.fullName(p);
  const reload = () => openSheet(ctx, sheet.session.id, true);
  const objectives = listOrEmpty(ctx, p.objectives, (o) => el('li', { 'data-objective': o.id },
    el('span', { class: 'text', text: o.body }), ' ',
    editButton(ctx, t('sheet.editObjective'), o.body, (body) => api.editObjective(o.id, body), reload)),
  'sheet.noObjectives');
  const notes = listOrEmpty(ctx, p.notes, (n) => el('li', { 'data-note': n.id },
    el('span', { class: 'text', text: n.body }),
    el('span', { class: 'muted', text: ` — ${n.author}, ${formatDateTime(n.written_at, ctx.lang())} ` }),
    n.mine ? editButton(ctx, t('sheet.editNote'), n.body, (body) => api.editProgressNote(n.id, body), reload) : null),
  'sheet.noNotes');
  const questions = listOrEmpty(ctx, p.questions, (q) => el('li', {},
    el('span', { text: q.text }), el('span', { class: 'muted', text: ` — ${formatDateTime(q.asked_at, ctx.lang())}` })),
  'sheet.noQuestions');
  const presence = el('input', { type: 'checkbox', class: 'attendance-toggle',
    'aria-label': t('sheet.presentLabel', { name }) });
  presence.checked = Boolean(p.present);
  presence.addEventListener('change', async () => {
    try {
      await api.setAttendance(sheet.session.id, p.participant_id, presence.checked);
      ctx.setStatus(presence.checked ? t('sheet.markedPresent', { name }) : t('sheet.markedAbsent', { name }));
      await reload();
    } catch (err) {
      presence.checked = !presence.checked;
      ctx.showError(err);
    }
  });
  return el('article', { class: 'card sheet-entry', 'data-participant': p.participant_id },
    el('h3', { text: name }),
    el('label', { class: 'inline-check' }, presence, ' ', t('sheet.present')),
    el('p', { class: 'muted attendance', text: t('sheet.attended', { attended: p.attended, past: sheet.past_sessions }) }),
    el('h4', { text: t('sheet.objectives') }), objectives,
    addForm(ctx, 'objective', name, (body) => api.addObjective(p.participant_id, body), reload),
    el('h4', { text: t('sheet.notes') }), notes,
    addForm(ctx, 'note', name, (body) => api.addProgressNote(p.participant_id, body), reload),
    el('h4', { text: t('sheet.questions') }), questions);
}

function addForm(ctx, kind, name, save, reload) {
  const { el } = ctx;
  const area = el('textarea', { class: `${kind}-body`, rows: '2', maxlength: '4000',
    'aria-label': t(`sheet.${kind}Label`, { name }) });
  const form = el('form', { class: `inline-form ${kind}-form` }, area,
    el('button', { type: 'submit', class: `btn btn-small add-${kind}`, text: t(`sheet.add.${kind}`) }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await save(area.value);
      ctx.setStatus(t(`sheet.saved.${kind}`));
      await reload();
    } catch (err) {
      ctx.showError(err);
    }
  });
  return form;
}

function editButton(ctx, label, current, save, reload) {
  const { el } = ctx;
  const button = el('button', { type: 'button', class: 'btn btn-small edit', text: label });
  button.addEventListener('click', () => {
    const area = el('textarea', { rows: '2', maxlength: '4000', 'aria-label': label });
    area.value = current;
    const form = el('form', { class: 'inline-form edit-form' }, area,
      el('button', { type: 'submit', class: 'btn btn-small save-edit', text: t('save') }));
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
    ctx.focus(area);
  });
  return button;
}

// ---------------------------------------------------------------- registrations

export function buildRegistrationsPanel(ctx) {
  const { el, data } = ctx;
  if (!data.registrations) data.registrations = { items: null, groups: null, failed: false, loading: false };
  const table = el('table', { id: 'registrations', class: 'data', 'aria-label': t('registrations.label') },
    ctx.headerRow([t('col.name'), t('col.programme'), t('col.slots'), t('col.payment'), t('col.status'),
      t('col.decision')]),
    el('tbody'));
  const panel = el('div', { class: 'panel stack', id: 'registrations-panel' },
    el('p', { class: 'muted', text: t('registrations.help') }),
    el('div', { class: 'table-wrap' }, table));
  fillRegistrations(ctx, table.tBodies[0]);
  const reg = data.registrations;
  if (reg.items === null && !reg.loading && !reg.failed) loadRegistrations(ctx);
  return panel;
}

async function loadRegistrations(ctx) {
  const reg = ctx.data.registrations;
  reg.loading = true;
  try {
    const [items, groups] = await Promise.all([api.registrations(null), api.listGroups()]);
    reg.items = items;
    reg.groups = groups;
    reg.failed = false;
    ctx.setStatus(tc('registrations.count', items.length));
  } catch (err) {
    reg.failed = true;
    ctx.showError(err);
  } finally {
    reg.loading = false;
  }
  const tbody = document.querySelector('#registrations tbody');
  if (tbody) fillRegistrations(ctx, tbody);
}

function fillRegistrations(ctx, tbody) {
  const { el } = ctx;
  const reg = ctx.data.registrations;
  if (reg.items === null) {
    tbody.replaceChildren(ctx.messageRow(6, reg.failed ? t('loadFailed') : t('loading')));
    return;
  }
  if (reg.items.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('registrations.empty')));
    return;
  }
  tbody.replaceChildren(...reg.items.map((r) => {
    const name = ctx.fullName(r);
    const groups = (reg.groups || []).filter((g) => g.programme_id === r.programme_id);
    const select = el('select', { class: 'group-select', 'aria-label': t('registrations.groupFor', { name }) },
      groups.map((g) => {
        const option = el('option', { value: g.id,
          text: t('registrations.groupOption', { name: g.name, confirmed: g.confirmed, capacity: g.capacity }) });
        if (g.id === r.group_id || (!r.group_id && g.slot === r.preferred_slot)) option.selected = true;
        return option;
      }));
    const waiver = el('input', { type: 'text', class: 'waiver-reason', maxlength: '500',
      placeholder: t('registrations.waiverPlaceholder'), 'aria-label': t('registrations.waiverFor', { name }) });
    const confirm = el('button', { type: 'button', class: 'btn btn-small btn-primary confirm-place',
      text: t('registrations.confirm'), 'aria-label': t('registrations.confirmFor', { name }) });
    const cancel = el('button', { type: 'button', class: 'btn btn-small cancel-enrolment',
      text: t('registrations.cancel'), 'aria-label': t('registrations.cancelFor', { name }) });
    const result = el('p', { class: 'result', role: 'status' });
    const move = r.group_id ? el('button', { type: 'button', class: 'btn btn-small move-enrolment',
      text: t('registrations.move'), 'aria-label': t('registrations.moveFor', { name }) }) : null;
    if (move) {
      move.addEventListener('click', async () => {
        try {
          await api.moveEnrolment(r.enrolment_id, select.value);
          ctx.clearError();
          ctx.setStatus(t('registrations.moved', { name }));
          await loadRegistrations(ctx);
        } catch (err) {
          ctx.showError(err);
        }
      });
    }
    confirm.addEventListener('click', async () => {
      try {
        const placed = await api.confirmPlace(r.enrolment_id, select.value, waiver.value.trim() || null);
        ctx.clearError();
        result.textContent = placed.outcome === 'waitlisted'
          ? t('registrations.waitlisted', { position: placed.position })
          : t('registrations.confirmed', { name });
        ctx.setStatus(result.textContent);
        await loadRegistrations(ctx);
      } catch (err) {
        if (err.code === 'payment_required') {
          result.textContent = t('registrations.paymentRequired');
          result.className = 'result refused';
          ctx.setStatus(result.textContent);
          ctx.focus(waiver);
        } else {
          ctx.showError(err);
        }
      }
    });
    cancel.addEventListener('click', async () => {
      try {
        const offer = await api.cancelEnrolment(r.enrolment_id);
        ctx.clearError();
        ctx.setStatus(offer ? t('registrations.offered') : t('registrations.cancelled'));
        await loadRegistrations(ctx);
      } catch (err) {
        ctx.showError(err);
      }
    });
    const slots = (r.available_slots || []).map((s) => (s === r.preferred_slot ? `${s} ★` : s)).join(', ');
    return el('tr', { 'data-id': r.enrolment_id, 'data-payment': r.payment, 'data-status': r.status },
      el('td', {}, el('span', { text: name }), el('br'), el('span', { class: 'muted', text: r.email })),
      el('td', { text: r.programme }),
      el('td', { text: slots || t('none') }),
      el('td', {}, el('span', { class: `badge payment-${r.payment}`, text: t(`payment.${r.payment}`) })),
      el('td', { text: t(`enrolment.${r.status}`) }),
      el('td', { class: 'decision' }, select, waiver, confirm, move, cancel, result));
  }));
}

// ---------------------------------------------------------------- reports

async function importReport(ctx, sessionId) {
  const box = document.getElementById('import-result');
  const dayFirst = Boolean(document.getElementById('import-day-first')?.checked);
  try {
    const result = await api.importReport(sessionId, dayFirst);
    ctx.clearError();
    if (!result.opened) {
      ctx.setStatus(t('import.cancelled'));
      return;
    }
    const summary = result.summary;
    ctx.setStatus(t('import.done', { matched: summary.matched, rows: summary.rows }));
    renderImport(ctx, box, sessionId, summary);
  } catch (err) {
    if (err.code !== 'invalid_input') {
      ctx.showError(err);
      return;
    }
    // A malformed file: the message names the line; nothing was imported.
    box.replaceChildren(ctx.el('p', { class: 'result refused', id: 'import-error',
      text: t('import.failed', { detail: err.message || '' }) }));
    box.scrollIntoView({ block: 'start' });
    ctx.setStatus(t('import.failedShort'));
  }
}

async function renderImport(ctx, box, sessionId, summary) {
  const { el } = ctx;
  const rows = await api.unmatchedRows(sessionId);
  let people = [];
  try {
    people = await api.listParticipants(null);
  } catch {
    people = [];
  }
  const head = summary ? el('p', { id: 'import-summary', text: t('import.summary', {
    kind: t(`import.kind.${summary.kind}`), rows: summary.rows, matched: summary.matched,
    duplicates: summary.duplicates, unmatched: summary.unmatched.length,
  }) }) : null;
  const list = rows.length === 0 ? el('p', { class: 'empty', text: t('import.noUnmatched') })
    : el('table', { id: 'unmatched', class: 'data', 'aria-label': t('import.unmatchedLabel') },
      ctx.headerRow([t('import.line'), t('col.name'), t('col.email'), t('col.when'), t('col.decision')]),
      el('tbody', {}, rows.map((r) => {
        const select = el('select', { class: 'match-select', 'aria-label': t('import.matchFor', { line: r.line }) },
          el('option', { value: '', text: t('import.choose') }),
          people.map((p) => el('option', { value: p.id, text: `${ctx.fullName(p)} — ${p.email}` })));
        const match = el('button', { type: 'button', class: 'btn btn-small match-unmatched', text: t('import.match') });
        const discard = el('button', { type: 'button', class: 'btn btn-small discard-unmatched', text: t('import.discard') });
        const resolve = async (participantId) => {
          try {
            await api.resolveUnmatched(r.id, participantId);
            ctx.setStatus(participantId ? t('import.matched') : t('import.discarded'));
            await renderImport(ctx, box, sessionId, summary);
          } catch (err) {
            ctx.showError(err);
          }
        };
        match.addEventListener('click', () => { if (select.value) resolve(select.value); });
        discard.addEventListener('click', () => resolve(null));
        return el('tr', { 'data-id': r.id },
          el('td', { class: 'num', text: String(r.line) }), el('td', { text: r.name }), el('td', { text: r.email }),
          el('td', { class: 'nowrap', text: formatDateTime(r.starts_at, ctx.lang()) }),
          el('td', { class: 'decision' }, select, match, discard));
      })));
  box.replaceChildren(...[head, el('h3', { text: t('import.unmatchedTitle') }), list].filter(Boolean));
  box.scrollIntoView({ block: 'start' });
}

// ---------------------------------------------------------------- group actions

export function groupActions(ctx, group) {
  const { el } = ctx;
  const result = el('span', { class: 'result', role: 'status' });
  const exportButton = el('button', {
    type: 'button', class: 'btn btn-small export-list', text: t('export.button'),
    'aria-label': t('export.buttonLabel', { name: group.name }),
  });
  exportButton.addEventListener('click', async () => {
    try {
      const done = await api.exportContactList(group.id);
      ctx.clearError();
      result.textContent = done.saved ? t('export.saved', { rows: done.rows }) : t('export.cancelled');
      ctx.setStatus(result.textContent);
    } catch (err) {
      ctx.showError(err);
    }
  });
  const parts = [exportButton];
  if (['administrator', 'dpo'].includes(ctx.role)) {
    const select = el('select', { class: 'template-select', 'aria-label': t('messages.template') },
      ['registration_confirmation', 'webinar_reminder', 'module_suggestion'].map((name) =>
        el('option', { value: name, text: t(`template.${name}`) })));
    const queue = el('button', { type: 'button', class: 'btn btn-small queue-messages', text: t('messages.queue'),
      'aria-label': t('messages.queueLabel', { name: group.name }) });
    queue.addEventListener('click', async () => {
      try {
        const template = select.value;
        let sessionId = null;
        if (template === 'webinar_reminder') {
          const sessions = await api.groupSessions(group.id);
          const next = sessions.find((s) => new Date(s.starts_at) > new Date());
          if (!next) {
            result.textContent = t('messages.noSession');
            return;
          }
          sessionId = next.id;
        }
        const queued = await api.queueMessages(template, group.id, sessionId, group.programme_id);
        ctx.clearError();
        result.textContent = t('messages.queued', { queued: queued.queued, skipped: queued.skipped.length });
        ctx.setStatus(result.textContent);
      } catch (err) {
        ctx.showError(err);
      }
    });
    const preview = el('button', { type: 'button', class: 'btn btn-small preview-message', text: t('messages.preview') });
    const previewBox = el('pre', { class: 'message-preview', hidden: true });
    preview.addEventListener('click', async () => {
      try {
        const people = await api.registrations(group.id);
        const first = people.find((p) => p.status === 'confirmed');
        if (!first) {
          result.textContent = t('messages.nobody');
          return;
        }
        let sessionId = null;
        if (select.value === 'webinar_reminder') {
          const sessions = await api.groupSessions(group.id);
          const next = sessions.find((x) => new Date(x.starts_at) > new Date());
          sessionId = next ? next.id : null;
        }
        const shown = await api.messagePreview(select.value, first.participant_id, sessionId, group.id, group.programme_id);
        previewBox.textContent = `${shown.subject}\n\n${shown.body}`;
        previewBox.hidden = false;
        ctx.clearError();
      } catch (err) {
        ctx.showError(err);
      }
    });
    const plan = el('button', { type: 'button', class: 'btn btn-small open-planning', text: t('planning.open'),
      'aria-label': t('planning.openLabel', { name: group.name }) });
    // The planning form opens in a full-width row under the group's row.
    const planBox = el('div', { class: 'planning-box stack' });
    plan.addEventListener('click', () => {
      const row = plan.closest('tr');
      const next = row && row.nextElementSibling;
      if (next && next.classList.contains('planning-row')) {
        next.remove();
        plan.setAttribute('aria-expanded', 'false');
        return;
      }
      const cells = row ? row.cells.length : 1;
      row.after(el('tr', { class: 'planning-row', 'data-group': group.id }, el('td', { colspan: String(cells) }, planBox)));
      plan.setAttribute('aria-expanded', 'true');
      buildPlanning(ctx, group, planBox);
    });
    parts.push(select, preview, queue, plan);
    return el('div', { class: 'decision' }, parts, result, previewBox);
  }
  return el('div', { class: 'decision' }, parts, result);
}

// ---------------------------------------------------------------- planning

async function buildPlanning(ctx, group, box) {
  const { el } = ctx;
  let resources;
  let sessions;
  try {
    [resources, sessions] = await Promise.all([api.planningResources(), api.groupSessions(group.id)]);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  const result = el('p', { class: 'result planning-result', role: 'status' });
  const trainer = el('select', { class: 'plan-trainer', 'aria-label': t('planning.trainer') },
    resources.trainers.filter((x) => !x.external).map((x) => {
      const option = el('option', { value: x.id, text: x.display_name });
      if (x.display_name === group.trainer) option.selected = true;
      return option;
    }));
  const room = el('select', { class: 'plan-room', 'aria-label': t('planning.room') },
    el('option', { value: '', text: t('planning.noRoom') }),
    resources.rooms.map((r) => {
      const option = el('option', { value: r.id, text: t('planning.roomOption', { name: r.name, seats: r.capacity }) });
      if (r.name === group.room) option.selected = true;
      return option;
    }));
  const capacity = el('input', { type: 'number', min: '1', class: 'plan-capacity', value: String(group.capacity),
    'aria-label': t('planning.capacity') });
  const save = el('button', { type: 'button', class: 'btn btn-small save-group', text: t('planning.save') });
  save.addEventListener('click', async () => {
    try {
      await api.updateGroup(group.id, trainer.value, room.value, Number(capacity.value));
      result.className = 'result planning-result';
      result.textContent = t('planning.saved');
      ctx.setStatus(result.textContent);
    } catch (err) {
      result.className = 'result planning-result refused';
      result.textContent = errorLine(err);
    }
  });
  const title = el('input', { type: 'text', class: 'plan-title', maxlength: '200', 'aria-label': t('planning.title'),
    placeholder: t('planning.title') });
  const kind = el('select', { class: 'plan-kind', 'aria-label': t('planning.kind') },
    ['in_person', 'webinar'].map((k) => el('option', { value: k, text: t(`kind.${k}`) })));
  const starts = el('input', { type: 'datetime-local', class: 'plan-starts', 'aria-label': t('planning.starts') });
  const minutes = el('input', { type: 'number', min: '15', step: '15', value: '90', class: 'plan-minutes',
    'aria-label': t('planning.minutes') });
  const add = el('button', { type: 'button', class: 'btn btn-small add-session', text: t('planning.addSession') });
  add.addEventListener('click', async () => {
    // The field holds local (Paris) time; the backend stores UTC.
    const start = new Date(starts.value);
    if (Number.isNaN(start.getTime())) {
      result.className = 'result planning-result refused';
      result.textContent = t('planning.needStart');
      return;
    }
    const end = new Date(start.getTime() + Number(minutes.value) * 60000);
    try {
      await api.addSession(group.id, title.value, kind.value, start.toISOString(), end.toISOString(), room.value || null);
      result.className = 'result planning-result';
      result.textContent = t('planning.sessionAdded');
      ctx.setStatus(result.textContent);
      await buildPlanning(ctx, group, box);
    } catch (err) {
      result.className = 'result planning-result refused';
      result.textContent = errorLine(err);
    }
  });
  const list = sessions.length === 0 ? el('p', { class: 'empty', text: t('planning.noSessions') })
    : el('ul', { class: 'plain-list plan-sessions' }, sessions.map((x) => el('li', { 'data-id': x.id },
      `${formatDateTime(x.starts_at, ctx.lang())} — ${x.title}`)));
  const members = el('div', { class: 'plan-members' });
  box.replaceChildren(
    el('h4', { text: t('planning.groupTitle') }), el('div', { class: 'toolbar' }, trainer, room, capacity, save),
    el('h4', { text: t('planning.sessionsTitle') }), list,
    el('div', { class: 'toolbar' }, title, kind, starts, minutes, add), result,
    el('h4', { text: t('planning.membersTitle') }), members);
  fillMembers(ctx, group, members);
}

// The group's people (confirmed, waitlisted, requested), with moves and cancellations.
async function fillMembers(ctx, group, box) {
  const { el } = ctx;
  let people;
  let groups;
  try {
    [people, groups] = await Promise.all([api.registrations(group.id), api.listGroups()]);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  const siblings = groups.filter((g) => g.programme_id === group.programme_id && g.id !== group.id);
  if (people.length === 0) {
    box.replaceChildren(el('p', { class: 'empty', text: t('planning.noMembers') }));
    return;
  }
  const result = el('p', { class: 'result members-result', role: 'status' });
  const rows = people.map((r) => {
    const name = ctx.fullName(r);
    const select = el('select', { class: 'move-target', 'aria-label': t('registrations.groupFor', { name }) },
      siblings.map((g) => el('option', { value: g.id,
        text: t('registrations.groupOption', { name: g.name, confirmed: g.confirmed, capacity: g.capacity }) })));
    const move = el('button', { type: 'button', class: 'btn btn-small move-member', text: t('registrations.move'),
      'aria-label': t('registrations.moveFor', { name }) });
    const cancel = el('button', { type: 'button', class: 'btn btn-small cancel-member', text: t('registrations.cancel'),
      'aria-label': t('registrations.cancelFor', { name }) });
    move.disabled = siblings.length === 0;
    move.addEventListener('click', async () => {
      try {
        const offer = await api.moveEnrolment(r.enrolment_id, select.value);
        result.className = 'result members-result';
        result.textContent = offer ? `${t('registrations.moved', { name })} ${t('planning.offered')}` : t('registrations.moved', { name });
        ctx.setStatus(result.textContent);
        await fillMembers(ctx, group, box);
        box.append(result);
      } catch (err) {
        result.className = 'result members-result refused';
        result.textContent = errorLine(err);
        box.append(result);
      }
    });
    cancel.addEventListener('click', async () => {
      try {
        const offer = await api.cancelEnrolment(r.enrolment_id);
        result.className = 'result members-result';
        result.textContent = offer ? t('registrations.offered') : t('registrations.cancelled');
        ctx.setStatus(result.textContent);
        await fillMembers(ctx, group, box);
        box.append(result);
      } catch (err) {
        ctx.showError(err);
      }
    });
    return el('tr', { 'data-id': r.enrolment_id, 'data-status': r.status },
      el('td', { text: name }), el('td', { text: t(`enrolment.${r.status}`) }),
      el('td', {}, el('span', { class: `badge payment-${r.payment}`, text: t(`payment.${r.payment}`) })),
      el('td', { class: 'decision' }, select, move, cancel));
  });
  box.replaceChildren(el('table', { class: 'data members', 'aria-label': t('planning.membersTitle') },
    ctx.headerRow([t('col.name'), t('col.status'), t('col.payment'), t('col.decision')]), el('tbody', {}, rows)));
}

function errorLine(err) {
  const code = err && err.code;
  const known = ['room_clash', 'trainer_clash', 'room_too_small', 'capacity_below_confirmed', 'invalid_input',
    'not_permitted'];
  const label = known.includes(code) ? t(`error.${code}`) : t('error.unknown');
  return ['room_clash', 'trainer_clash', 'invalid_input'].includes(code) && err.message ? `${label} ${err.message}` : label;
}

// ---------------------------------------------------------------- balancing

export function buildBalancingPanel(ctx) {
  const { el, data } = ctx;
  if (!data.balancing) data.balancing = { groups: null, view: null, programme: null, edits: {} };
  const b = data.balancing;
  const panel = el('div', { class: 'panel stack', id: 'balancing-panel' },
    el('p', { class: 'muted', text: t('balancing.help') }));
  const select = el('select', { id: 'balancing-programme', 'aria-label': t('balancing.programme') });
  const propose = el('button', { type: 'button', id: 'balancing-propose', class: 'btn btn-primary', text: t('balancing.propose') });
  panel.append(el('div', { class: 'toolbar' }, select, propose));
  const body = el('div', { id: 'balancing-body', class: 'stack' });
  panel.append(body);
  const fillProgrammes = () => {
    const seen = new Map();
    for (const g of b.groups || []) seen.set(g.programme_id, g.programme);
    select.replaceChildren(...[...seen].map(([id, name]) => {
      const option = el('option', { value: id, text: name });
      if (id === b.programme) option.selected = true;
      return option;
    }));
  };
  if (b.groups === null) {
    api.listGroups().then((groups) => { b.groups = groups; fillProgrammes(); }).catch(ctx.showError);
  } else {
    fillProgrammes();
  }
  propose.addEventListener('click', async () => {
    b.programme = select.value;
    try {
      b.view = await api.balancingPropose(b.programme);
      b.edits = { ...b.view.assignments };
      ctx.clearError();
      renderBalancing(ctx, body);
      ctx.setStatus(t('balancing.proposed'));
    } catch (err) {
      ctx.showError(err);
    }
  });
  if (b.view) renderBalancing(ctx, body);
  return panel;
}

function scoreText(score) {
  return t('balancing.score', { unplaced: score.unplaced, gap: score.gap, unmet: score.unmet_preferences,
    age: score.age_penalty });
}

function renderBalancing(ctx, body) {
  const { el } = ctx;
  const b = ctx.data.balancing;
  const view = b.view;
  const groups = el('table', { id: 'balancing-groups', class: 'data', 'aria-label': t('balancing.groups') },
    ctx.headerRow([t('col.group'), t('col.slot'), t('col.capacity'), t('col.confirmed'), t('col.proposed')]),
    el('tbody', {}, view.groups.map((g) => el('tr', { 'data-id': g.id },
      el('td', { text: g.name }), el('td', { text: g.slot }), el('td', { class: 'num', text: String(g.capacity) }),
      el('td', { class: 'num', text: String(g.confirmed) }), el('td', { class: 'num proposed', text: String(g.proposed) })))));
  const people = el('table', { id: 'balancing-people', class: 'data', 'aria-label': t('balancing.people') },
    ctx.headerRow([t('col.name'), t('col.slots'), t('col.bracket'), t('col.payment'), t('col.group')]),
    el('tbody', {}, view.registrations.map((r) => {
      const select = el('select', { class: 'assign-select', 'aria-label': t('balancing.assignFor', { name: ctx.fullName(r) }) },
        el('option', { value: '', text: t('balancing.unplaced') }),
        view.groups.filter((g) => r.available_slots.includes(g.slot)).map((g) => {
          const option = el('option', { value: g.id, text: `${g.name} (${g.slot})` });
          if (b.edits[r.enrolment_id] === g.id) option.selected = true;
          return option;
        }));
      select.addEventListener('change', () => {
        if (select.value) b.edits[r.enrolment_id] = select.value;
        else delete b.edits[r.enrolment_id];
      });
      const slots = r.available_slots.map((s) => (s === r.preferred_slot ? `${s} ★` : s)).join(', ');
      return el('tr', { 'data-id': r.enrolment_id },
        el('td', { text: ctx.fullName(r) }), el('td', { text: slots }), el('td', { text: r.bracket || t('none') }),
        el('td', {}, el('span', { class: `badge payment-${r.payment}`, text: t(`payment.${r.payment}`) })),
        el('td', {}, select));
    })));
  const figures = el('p', { id: 'balancing-score', class: 'strong', text: scoreText(view.score) });
  const result = el('p', { id: 'balancing-result', class: 'result', role: 'status' });
  const recompute = el('button', { type: 'button', id: 'balancing-evaluate', class: 'btn', text: t('balancing.evaluate') });
  const apply = el('button', { type: 'button', id: 'balancing-apply', class: 'btn btn-primary', text: t('balancing.apply') });
  recompute.addEventListener('click', async () => {
    try {
      const edited = await api.balancingEvaluate(b.programme, b.edits);
      b.view = { ...edited, registrations: b.view.registrations };
      ctx.clearError();
      renderBalancing(ctx, body);
      ctx.setStatus(scoreText(edited.score));
    } catch (err) {
      result.textContent = err.code === 'invalid_proposal' ? t('balancing.invalid', { detail: err.message }) : '';
      if (err.code !== 'invalid_proposal') ctx.showError(err);
    }
  });
  apply.addEventListener('click', async () => {
    try {
      const applied = await api.balancingApply(b.programme, b.edits);
      ctx.clearError();
      result.textContent = t('balancing.applied', { confirmed: applied.confirmed, waiting: applied.awaiting_payment });
      ctx.setStatus(result.textContent);
      b.view = null;
      body.replaceChildren(result);
    } catch (err) {
      result.textContent = err.code === 'invalid_proposal' ? t('balancing.invalid', { detail: err.message }) : '';
      if (err.code !== 'invalid_proposal') ctx.showError(err);
    }
  });
  body.replaceChildren(figures, el('div', { class: 'table-wrap' }, groups), el('div', { class: 'table-wrap' }, people),
    el('div', { class: 'toolbar' }, recompute, apply), result);
}

// ---------------------------------------------------------------- outbox

export function buildOutboxPanel(ctx) {
  const { el } = ctx;
  const table = el('table', { id: 'outbox', class: 'data', 'aria-label': t('outbox.label') },
    ctx.headerRow([t('col.when'), t('col.name'), t('col.template'), t('col.subject'), t('col.status')]),
    el('tbody', {}, ctx.messageRow(5, t('loading'))));
  api.outbox().then((rows) => {
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [ctx.messageRow(5, t('outbox.empty'))]
      : rows.map((m) => el('tr', { 'data-id': m.id },
        el('td', { class: 'nowrap', text: formatDateTime(m.queued_at, ctx.lang()) }),
        el('td', { text: ctx.fullName(m) }), el('td', { text: t(`template.${m.template}`) }),
        el('td', { text: m.subject }), el('td', { text: t(`outbox.status.${m.status}`) })))));
  }).catch(ctx.showError);
  return el('div', { class: 'panel stack' }, el('p', { class: 'muted', text: t('outbox.help') }),
    el('div', { class: 'table-wrap' }, table));
}
