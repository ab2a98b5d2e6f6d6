// The only module that talks to the Rust backend.
// Every function returns the command's result or throws `{code, message}`.

function normalizeError(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    return { code: err.code, message: err.message == null ? '' : String(err.message) };
  }
  if (typeof err === 'string') return { code: 'unknown', message: err };
  return { code: 'unknown', message: err instanceof Error ? err.message : String(err) };
}

async function invoke(command, args) {
  const core = window.__TAURI__ && window.__TAURI__.core;
  if (!core || typeof core.invoke !== 'function') {
    throw { code: 'no_backend', message: '' };
  }
  try {
    return await core.invoke(command, args);
  } catch (err) {
    throw normalizeError(err);
  }
}

export const appInfo = () => invoke('app_info');

export const signIn = (username, password) => invoke('sign_in', { username, password });

export const signOut = () => invoke('sign_out');

export const currentSession = () => invoke('current_session');

export const listParticipants = (query) => invoke('list_participants', { query: query || null });

export const participantProfile = (participantId) => invoke('participant_profile', { participantId });

export const listGroups = () => invoke('list_groups');

export const auditTrail = (limit, offset) => invoke('audit_trail', { limit, offset });

export const verifyAuditChain = () => invoke('verify_audit_chain');

export const auditAlerts = () => invoke('audit_alerts');
export const acknowledgeAlert = (alertId) => invoke('acknowledge_alert', { alertId });

export const upcomingSessions = () => invoke('upcoming_sessions');

export const preparationSheet = (sessionId) => invoke('preparation_sheet', { sessionId });

export const addProgressNote = (participantId, body) => invoke('add_progress_note', { participantId, body });

export const editProgressNote = (noteId, body) => invoke('edit_progress_note', { noteId, body });

export const addObjective = (participantId, body) => invoke('add_objective', { participantId, body });

export const editObjective = (objectiveId, body) => invoke('edit_objective', { objectiveId, body });

export const registrations = (groupId) => invoke('registrations', { groupId: groupId || null });

export const confirmPlace = (enrolmentId, groupId, waiverReason) =>
  invoke('confirm_place', { enrolmentId, groupId, waiverReason: waiverReason || null });

export const cancelEnrolment = (enrolmentId) => invoke('cancel_enrolment', { enrolmentId });

export const moveEnrolment = (enrolmentId, groupId) => invoke('move_enrolment', { enrolmentId, groupId });

export const balancingPropose = (programmeId) => invoke('balancing_propose', { programmeId });

export const balancingEvaluate = (programmeId, assignments) =>
  invoke('balancing_evaluate', { programmeId, assignments });

export const balancingApply = (programmeId, assignments) => invoke('balancing_apply', { programmeId, assignments });

export const importReport = (sessionId, dayFirst) => invoke('import_report', { sessionId, dayFirst: Boolean(dayFirst) });

export const unmatchedRows = (sessionId) => invoke('unmatched_rows', { sessionId });

export const resolveUnmatched = (rowId, participantId) =>
  invoke('resolve_unmatched', { rowId, participantId: participantId || null });

export const exportContactList = (groupId) => invoke('export_contact_list', { groupId });

export const queueMessages = (templateName, groupId, sessionId, programmeId) =>
  invoke('queue_messages', { templateName, groupId, sessionId: sessionId || null, programmeId: programmeId || null });

export const messagePreview = (templateName, participantId, sessionId, groupId, programmeId) =>
  invoke('message_preview', {
    templateName, participantId, sessionId: sessionId || null, groupId: groupId || null, programmeId: programmeId || null,
  });

export const outbox = () => invoke('outbox');

export const groupSessions = (groupId) => invoke('group_sessions', { groupId });

export const planningResources = () => invoke('planning_resources');

export const updateGroup = (groupId, trainerId, roomId, capacity) =>
  invoke('update_group', { groupId, trainerId: trainerId || null, roomId: roomId ?? null, capacity: capacity || null });

export const addSession = (groupId, title, kind, startsAt, endsAt, roomId) =>
  invoke('add_session', { groupId, title, kind, startsAt, endsAt, roomId: roomId || null });

export const setAttendance = (sessionId, participantId, present) =>
  invoke('set_attendance', { sessionId, participantId, present });

// ---------------------------------------------------------------- DPO desk (issue 4)

export const rightsRequests = () => invoke('rights_requests');

// request: { participant_id, kind, channel, received_on: 'YYYY-MM-DD', objection_purpose }
export const registerRightsRequest = (request) => invoke('register_rights_request', { request });

export const rightsRequestDetail = (requestId) => invoke('rights_request_detail', { requestId });

// step: { step: 'check_identity', method } | { step: 'start' } | { step: 'extend', grounds }
//     | { step: 'answer', note } | { step: 'refuse', grounds }
export const advanceRightsRequest = (requestId, step) => invoke('advance_rights_request', { requestId, step });

export const rectifyField = (requestId, field, value) => invoke('rectify_field', { requestId, field, value });

export const decideObjection = (requestId, accepted, grounds) =>
  invoke('decide_objection', { requestId, accepted, grounds: grounds || null });

export const unsubscribeParticipant = (participantId, source, requestId) =>
  invoke('unsubscribe_participant', { participantId, source, requestId: requestId || null });

export const recordConsent = (participantId, purpose, granted, source) =>
  invoke('record_consent', { participantId, purpose, granted, source });

export const exportAccess = (participantId, requestId) =>
  invoke('export_access', { participantId, requestId: requestId || null });

export const eraseParticipant = (participantId, reason, requestId, deep) =>
  invoke('erase_participant', { participantId, reason, requestId: requestId || null, deep: Boolean(deep) });

export const saveCertificate = (certificateId) => invoke('save_certificate', { certificateId });

export const legalHolds = () => invoke('legal_holds');

export const retentionRules = () => invoke('retention_rules');

export const setRetentionRule = (key, value) => invoke('set_retention_rule', { key, value });

export const retentionPreview = () => invoke('retention_preview');

export const retentionRun = () => invoke('retention_run');

export const saveQuarterlyReport = () => invoke('save_quarterly_report');

export const registers = () => invoke('registers');

export const saveProcessor = (processor) => invoke('save_processor', { processor });

export const saveActivity = (activity) => invoke('save_activity', { activity });

// version: { version, effective_on: 'YYYY-MM-DD', significant, summary }
export const publishPolicyVersion = (version) => invoke('publish_policy_version', { version });

export const assistanceRequests = () => invoke('assistance_requests');

export const renewAssistance = (requestId) => invoke('renew_assistance', { requestId });

export const closeAssistance = (requestId) => invoke('close_assistance', { requestId });

// Sync with the central server (issue 5).
export const syncStatus = () => invoke('sync_status');
export const syncNow = () => invoke('sync_now');
export const dismissRefusal = (opId) => invoke('dismiss_refusal', { opId });
