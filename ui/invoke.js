// @ts-check
// The only caller of Tauri's invoke. Every command's function is generated in
// commands.js from the contract; errors are thrown as { code, details }.

/** @typedef {import('./bindings').UiError} UiError */

/**
 * @param {unknown} err
 * @returns {UiError}
 */
function normalizeError(err) {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const details = 'details' in err && err.details && typeof err.details === 'object' ? err.details : {};
    return /** @type {UiError} */ ({ code: err.code, details });
  }
  return /** @type {UiError} */ (/** @type {unknown} */ ({ code: 'unknown', details: {} }));
}

/**
 * @param {string} command
 * @param {Record<string, unknown>} args
 * @returns {Promise<any>}
 */
export async function invoke(command, args) {
  const tauri = /** @type {any} */ (window).__TAURI__;
  const core = tauri && tauri.core;
  if (!core || typeof core.invoke !== 'function') {
    throw /** @type {UiError} */ (/** @type {unknown} */ ({ code: 'no_backend', details: {} }));
  }
  try {
    return await core.invoke(command, args);
  } catch (err) {
    throw normalizeError(err);
  }
}
