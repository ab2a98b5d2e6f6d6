// @ts-check
// The workspace's tabs beyond the participant list and the trail, loaded
// after the first screen is up (app.js `loadPanels`): the sign-in form does
// not wait for their modules (issue 13, start to a usable sign-in).

export { buildGroupsPanel } from './groups.js';
export { buildSessionsPanel } from './sessions.js';
export { buildRegistrationsPanel } from './registrations.js';
export { buildBalancingPanel, buildOutboxPanel } from './balancing.js';
export { buildRequestsPanel } from './dpo-requests.js';
export { buildRetentionPanel } from './dpo-retention.js';
export { buildRegistersPanel } from './dpo-registers.js';
export { buildAccountsPanel } from './accounts.js';
export { buildStatisticsPanel } from './statistics.js'; // Issue 16: monthly statistics
