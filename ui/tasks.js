// @ts-check
// Long work of the core that goes on after its command has answered (the
// erasure's page-level check, POL-25): the core emits `task` events
// (ui/bindings.d.ts, TaskEvent: ids and counts only); this module keeps the
// last state of each task, shows them in the #tasks line under the header
// (so the DPO can work elsewhere meanwhile) and tells the views that watch one.

import { h, $ } from './dom.js';
import { t, formatCount } from './i18n.js';
import { errorText } from './errors.js';

/** @typedef {import('./bindings').TaskEvent} TaskEvent */

/** @type {Map<string, TaskEvent>} */
const tasks = new Map();
/** @type {Map<string, Set<(event: TaskEvent) => void>>} */
const watchers = new Map();
/** What the window calls a task's subject (the certificate's reference). */
const subjects = new Map();
/** @type {Set<string>} */
const dismissed = new Set();

/**
 * Starts listening to the core's `task` events (once, at start).
 */
export async function listenToTasks() {
  const events = /** @type {any} */ (window).__TAURI__?.event;
  if (!events || typeof events.listen !== 'function') return;
  await events.listen('task', (/** @type {{ payload: TaskEvent }} */ message) => receive(message.payload));
}

/** @param {TaskEvent} event */
function receive(event) {
  if (!event || typeof event.id !== 'string') return;
  tasks.set(event.id, event);
  for (const watcher of watchers.get(event.id) || []) watcher(event);
  renderTasks();
}

/**
 * Calls `watcher` with the task's last state now (if known) and at every change.
 * @param {string} id
 * @param {(event: TaskEvent) => void} watcher
 * @returns {() => void} stops watching
 */
export function watchTask(id, watcher) {
  let set = watchers.get(id);
  if (!set) {
    set = new Set();
    watchers.set(id, set);
  }
  set.add(watcher);
  const known = tasks.get(id);
  if (known) watcher(known);
  return () => set.delete(watcher);
}

/**
 * Names the task's subject for the #tasks line (e.g. the certificate's reference).
 * @param {string} id
 * @param {string} subject
 */
export function nameTask(id, subject) {
  subjects.set(id, subject);
  renderTasks();
}

/**
 * The sentence for a task's state.
 * @param {TaskEvent} event
 */
export function taskText(event) {
  const ref = subjects.get(event.id) || '';
  if (event.state === 'running') return t('task.deep_check.running', { ref });
  if (event.state === 'failed') return t('task.deep_check.failed', { ref, error: errorText(event.error) });
  return t('task.deep_check.done', {
    ref, occurrences: formatCount(event.occurrences), pages: formatCount(event.pages),
  });
}

/** Forgets every task (signing out). */
export function clearTasks() {
  tasks.clear();
  watchers.clear();
  subjects.clear();
  dismissed.clear();
  renderTasks();
}

/** The #tasks line: one entry per task not dismissed. */
export function renderTasks() {
  const box = $('tasks');
  if (!box) return;
  const shown = [...tasks.values()].filter((event) => !dismissed.has(event.id));
  box.hidden = shown.length === 0;
  box.replaceChildren(...shown.map((event) => h('p', {
    class: `task task-${event.state}`, 'data-task': event.id, 'data-state': event.state,
  },
  h('span', { class: 'task-text', text: taskText(event) }),
  event.state === 'running' ? null : h('button', {
    type: 'button', class: 'btn btn-small task-dismiss', text: t('task.dismiss'),
    onClick: () => {
      dismissed.add(event.id);
      renderTasks();
    },
  }))));
}
