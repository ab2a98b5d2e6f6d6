// @ts-check
// The closed lists and defaults of the core (request kinds, channels,
// consent purposes, legal bases, retention defaults…), asked once: the
// window never restates them. Labels come from the locales, one key per value.

import { vocabularies } from './commands.js';

/** @typedef {import('./bindings').Vocabularies} Vocabularies */

/** @type {Vocabularies | null} */
let loaded = null;
/** @type {Promise<Vocabularies> | null} */
let pending = null;

/**
 * The vocabularies (asked of the core the first time).
 * @returns {Promise<Vocabularies>}
 */
export function loadVocabularies() {
  if (loaded) return Promise.resolve(loaded);
  if (!pending) {
    pending = vocabularies().then((value) => {
      loaded = value;
      return value;
    }).finally(() => {
      pending = null;
    });
  }
  return pending;
}

/**
 * The vocabularies once loaded (app.js loads them before any workspace is shown).
 * @returns {Vocabularies}
 */
export function vocab() {
  if (!loaded) throw new Error('vocabularies not loaded yet');
  return loaded;
}
