// @ts-check
// Types shared by the views (JSDoc only; nothing runs here).

/**
 * What a view needs from the window (app.js makes it).
 * @typedef {object} Ctx
 * @property {WorkspaceData} data The signed-in user's cached views; dropped at sign-out.
 * @property {import('./bindings').Role | null} role
 * @property {() => import('./i18n.js').Lang} lang
 * @property {() => void} rerender Renders the current tab again from `data`.
 * @property {(err: unknown) => void} showError Says an error in the #error alert.
 * @property {() => void} clearError
 * @property {(text: string) => void} setStatus Says `text` in the polite live region.
 */

/**
 * Each tab keeps its state here (created by the tab on first use).
 * @typedef {{ tab: string | null, query: string } & Record<string, any>} WorkspaceData
 */

export {};
