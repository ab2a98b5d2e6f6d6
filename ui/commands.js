// @ts-check
// Generated from crates/contract and the Rust types by `cargo test -p moniravique-desktop --test contract` (UPDATE_BINDINGS=1 to rewrite). Do not edit.

import { invoke } from './invoke.js';

/** @typedef {import('./bindings').Commands} Commands */

/**
 * Version, demo accounts, and why the store did not open, if it did not.
 * @returns {Promise<Commands['app_info']['answer']>}
 */
export const appInfo = () => invoke('app_info', {});

/**
 * @param {Commands['sign_in']['args']['username']} username
 * @param {Commands['sign_in']['args']['password']} password
 * @returns {Promise<Commands['sign_in']['answer']>}
 */
export const signIn = (username, password) => invoke('sign_in', { username, password });

/**
 * @returns {Promise<Commands['sign_out']['answer']>}
 */
export const signOut = () => invoke('sign_out', {});

/**
 * @returns {Promise<Commands['current_session']['answer']>}
 */
export const currentSession = () => invoke('current_session', {});

/**
 * Connects a freshly installed laptop with an enrolment code (issue 14).
 * @param {Commands['connect_laptop']['args']['code']} code
 * @param {Commands['connect_laptop']['args']['password']} password
 * @returns {Promise<Commands['connect_laptop']['answer']>}
 */
export const connectLaptop = (code, password) => invoke('connect_laptop', { code, password });

/**
 * @param {Commands['open_enrolment_file']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['open_enrolment_file']['answer']>}
 */
export const openEnrolmentFile = (dialogTitle) => invoke('open_enrolment_file', { dialogTitle });

/**
 * One's own password; the only command a one-time password allows.
 * @param {Commands['change_password']['args']['current']} current
 * @param {Commands['change_password']['args']['newPassword']} newPassword
 * @returns {Promise<Commands['change_password']['answer']>}
 */
export const changePassword = (current, newPassword) => invoke('change_password', { current, newPassword });

/**
 * The closed lists and defaults the window's forms offer (no personal data).
 * @returns {Promise<Commands['vocabularies']['answer']>}
 */
export const vocabularies = () => invoke('vocabularies', {});

/**
 * @param {Commands['list_participants']['args']['query']} query
 * @returns {Promise<Commands['list_participants']['answer']>}
 */
export const listParticipants = (query) => invoke('list_participants', { query: query ?? null });

/**
 * @param {Commands['participant_profile']['args']['participantId']} participantId
 * @returns {Promise<Commands['participant_profile']['answer']>}
 */
export const participantProfile = (participantId) => invoke('participant_profile', { participantId });

/**
 * @returns {Promise<Commands['list_groups']['answer']>}
 */
export const listGroups = () => invoke('list_groups', {});

/**
 * @param {Commands['audit_trail']['args']['limit']} limit
 * @param {Commands['audit_trail']['args']['offset']} offset
 * @returns {Promise<Commands['audit_trail']['answer']>}
 */
export const auditTrail = (limit, offset) => invoke('audit_trail', { limit, offset });

/**
 * @returns {Promise<Commands['verify_audit_chain']['answer']>}
 */
export const verifyAuditChain = () => invoke('verify_audit_chain', {});

/**
 * @returns {Promise<Commands['audit_alerts']['answer']>}
 */
export const auditAlerts = () => invoke('audit_alerts', {});

/**
 * @param {Commands['acknowledge_alert']['args']['alertId']} alertId
 * @returns {Promise<Commands['acknowledge_alert']['answer']>}
 */
export const acknowledgeAlert = (alertId) => invoke('acknowledge_alert', { alertId });

/**
 * @returns {Promise<Commands['upcoming_sessions']['answer']>}
 */
export const upcomingSessions = () => invoke('upcoming_sessions', {});

/**
 * @param {Commands['preparation_sheet']['args']['sessionId']} sessionId
 * @returns {Promise<Commands['preparation_sheet']['answer']>}
 */
export const preparationSheet = (sessionId) => invoke('preparation_sheet', { sessionId });

/**
 * @param {Commands['add_progress_note']['args']['participantId']} participantId
 * @param {Commands['add_progress_note']['args']['body']} body
 * @returns {Promise<Commands['add_progress_note']['answer']>}
 */
export const addProgressNote = (participantId, body) => invoke('add_progress_note', { participantId, body });

/**
 * @param {Commands['edit_progress_note']['args']['noteId']} noteId
 * @param {Commands['edit_progress_note']['args']['body']} body
 * @returns {Promise<Commands['edit_progress_note']['answer']>}
 */
export const editProgressNote = (noteId, body) => invoke('edit_progress_note', { noteId, body });

/**
 * @param {Commands['add_objective']['args']['participantId']} participantId
 * @param {Commands['add_objective']['args']['body']} body
 * @returns {Promise<Commands['add_objective']['answer']>}
 */
export const addObjective = (participantId, body) => invoke('add_objective', { participantId, body });

/**
 * @param {Commands['edit_objective']['args']['objectiveId']} objectiveId
 * @param {Commands['edit_objective']['args']['body']} body
 * @returns {Promise<Commands['edit_objective']['answer']>}
 */
export const editObjective = (objectiveId, body) => invoke('edit_objective', { objectiveId, body });

/**
 * @param {Commands['set_attendance']['args']['sessionId']} sessionId
 * @param {Commands['set_attendance']['args']['participantId']} participantId
 * @param {Commands['set_attendance']['args']['present']} present
 * @returns {Promise<Commands['set_attendance']['answer']>}
 */
export const setAttendance = (sessionId, participantId, present) => invoke('set_attendance', { sessionId, participantId, present });

/**
 * @param {Commands['registrations']['args']['groupId']} groupId
 * @returns {Promise<Commands['registrations']['answer']>}
 */
export const registrations = (groupId) => invoke('registrations', { groupId: groupId ?? null });

/**
 * @param {Commands['confirm_place']['args']['enrolmentId']} enrolmentId
 * @param {Commands['confirm_place']['args']['groupId']} groupId
 * @param {Commands['confirm_place']['args']['waiverReason']} waiverReason
 * @returns {Promise<Commands['confirm_place']['answer']>}
 */
export const confirmPlace = (enrolmentId, groupId, waiverReason) => invoke('confirm_place', { enrolmentId, groupId, waiverReason: waiverReason ?? null });

/**
 * @param {Commands['cancel_enrolment']['args']['enrolmentId']} enrolmentId
 * @returns {Promise<Commands['cancel_enrolment']['answer']>}
 */
export const cancelEnrolment = (enrolmentId) => invoke('cancel_enrolment', { enrolmentId });

/**
 * @param {Commands['move_enrolment']['args']['enrolmentId']} enrolmentId
 * @param {Commands['move_enrolment']['args']['groupId']} groupId
 * @returns {Promise<Commands['move_enrolment']['answer']>}
 */
export const moveEnrolment = (enrolmentId, groupId) => invoke('move_enrolment', { enrolmentId, groupId });

/**
 * The programmes, slots and policy version the office's form offers.
 * @returns {Promise<Commands['registration_form']['answer']>}
 */
export const registrationForm = () => invoke('registration_form', {});

/**
 * The known person with this e-mail, offered instead of a duplicate.
 * @param {Commands['lookup_person']['args']['email']} email
 * @returns {Promise<Commands['lookup_person']['answer']>}
 */
export const lookupPerson = (email) => invoke('lookup_person', { email });

/**
 * @param {Commands['register_family']['args']['registration']} registration
 * @returns {Promise<Commands['register_family']['answer']>}
 */
export const registerFamily = (registration) => invoke('register_family', { registration });

/**
 * @param {Commands['registration_payments']['args']['enrolmentId']} enrolmentId
 * @returns {Promise<Commands['registration_payments']['answer']>}
 */
export const registrationPayments = (enrolmentId) => invoke('registration_payments', { enrolmentId });

/**
 * @param {Commands['record_payment']['args']['payment']} payment
 * @returns {Promise<Commands['record_payment']['answer']>}
 */
export const recordPayment = (payment) => invoke('record_payment', { payment });

/**
 * @param {Commands['refund_payment']['args']['paymentId']} paymentId
 * @returns {Promise<Commands['refund_payment']['answer']>}
 */
export const refundPayment = (paymentId) => invoke('refund_payment', { paymentId });

/**
 * @returns {Promise<Commands['unmatched_payments']['answer']>}
 */
export const unmatchedPayments = () => invoke('unmatched_payments', {});

/**
 * @param {Commands['match_payment']['args']['unmatchedId']} unmatchedId
 * @param {Commands['match_payment']['args']['enrolmentId']} enrolmentId
 * @returns {Promise<Commands['match_payment']['answer']>}
 */
export const matchPayment = (unmatchedId, enrolmentId) => invoke('match_payment', { unmatchedId, enrolmentId });

/**
 * @returns {Promise<Commands['planning_resources']['answer']>}
 */
export const planningResources = () => invoke('planning_resources', {});

/**
 * @param {Commands['group_sessions']['args']['groupId']} groupId
 * @returns {Promise<Commands['group_sessions']['answer']>}
 */
export const groupSessions = (groupId) => invoke('group_sessions', { groupId });

/**
 * @param {Commands['add_session']['args']['groupId']} groupId
 * @param {Commands['add_session']['args']['title']} title
 * @param {Commands['add_session']['args']['kind']} kind
 * @param {Commands['add_session']['args']['startsAt']} startsAt
 * @param {Commands['add_session']['args']['endsAt']} endsAt
 * @param {Commands['add_session']['args']['roomId']} roomId
 * @returns {Promise<Commands['add_session']['answer']>}
 */
export const addSession = (groupId, title, kind, startsAt, endsAt, roomId) => invoke('add_session', { groupId, title, kind, startsAt, endsAt, roomId: roomId ?? null });

/**
 * @param {Commands['update_group']['args']['groupId']} groupId
 * @param {Commands['update_group']['args']['trainerId']} trainerId
 * @param {Commands['update_group']['args']['roomId']} roomId
 * @param {Commands['update_group']['args']['capacity']} capacity
 * @returns {Promise<Commands['update_group']['answer']>}
 */
export const updateGroup = (groupId, trainerId, roomId, capacity) => invoke('update_group', { groupId, trainerId: trainerId ?? null, roomId: roomId ?? null, capacity: capacity ?? null });

/**
 * @param {Commands['balancing_propose']['args']['programmeId']} programmeId
 * @returns {Promise<Commands['balancing_propose']['answer']>}
 */
export const balancingPropose = (programmeId) => invoke('balancing_propose', { programmeId });

/**
 * @param {Commands['balancing_evaluate']['args']['programmeId']} programmeId
 * @param {Commands['balancing_evaluate']['args']['assignments']} assignments
 * @returns {Promise<Commands['balancing_evaluate']['answer']>}
 */
export const balancingEvaluate = (programmeId, assignments) => invoke('balancing_evaluate', { programmeId, assignments });

/**
 * @param {Commands['balancing_apply']['args']['programmeId']} programmeId
 * @param {Commands['balancing_apply']['args']['assignments']} assignments
 * @returns {Promise<Commands['balancing_apply']['answer']>}
 */
export const balancingApply = (programmeId, assignments) => invoke('balancing_apply', { programmeId, assignments });

/**
 * @param {Commands['message_preview']['args']['template']} template
 * @param {Commands['message_preview']['args']['participantId']} participantId
 * @param {Commands['message_preview']['args']['sessionId']} sessionId
 * @param {Commands['message_preview']['args']['groupId']} groupId
 * @param {Commands['message_preview']['args']['programmeId']} programmeId
 * @returns {Promise<Commands['message_preview']['answer']>}
 */
export const messagePreview = (template, participantId, sessionId, groupId, programmeId) => invoke('message_preview', { template, participantId, sessionId: sessionId ?? null, groupId: groupId ?? null, programmeId: programmeId ?? null });

/**
 * @param {Commands['queue_messages']['args']['template']} template
 * @param {Commands['queue_messages']['args']['groupId']} groupId
 * @param {Commands['queue_messages']['args']['sessionId']} sessionId
 * @param {Commands['queue_messages']['args']['programmeId']} programmeId
 * @returns {Promise<Commands['queue_messages']['answer']>}
 */
export const queueMessages = (template, groupId, sessionId, programmeId) => invoke('queue_messages', { template, groupId, sessionId: sessionId ?? null, programmeId: programmeId ?? null });

/**
 * @returns {Promise<Commands['outbox']['answer']>}
 */
export const outbox = () => invoke('outbox', {});

/**
 * @param {Commands['export_contact_list']['args']['groupId']} groupId
 * @param {Commands['export_contact_list']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['export_contact_list']['answer']>}
 */
export const exportContactList = (groupId, dialogTitle) => invoke('export_contact_list', { groupId, dialogTitle });

/**
 * @param {Commands['import_report']['args']['sessionId']} sessionId
 * @param {Commands['import_report']['args']['dayFirst']} dayFirst
 * @param {Commands['import_report']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['import_report']['answer']>}
 */
export const importReport = (sessionId, dayFirst, dialogTitle) => invoke('import_report', { sessionId, dayFirst: dayFirst ?? null, dialogTitle });

/**
 * @param {Commands['unmatched_rows']['args']['sessionId']} sessionId
 * @returns {Promise<Commands['unmatched_rows']['answer']>}
 */
export const unmatchedRows = (sessionId) => invoke('unmatched_rows', { sessionId });

/**
 * @param {Commands['resolve_unmatched']['args']['rowId']} rowId
 * @param {Commands['resolve_unmatched']['args']['participantId']} participantId
 * @returns {Promise<Commands['resolve_unmatched']['answer']>}
 */
export const resolveUnmatched = (rowId, participantId) => invoke('resolve_unmatched', { rowId, participantId: participantId ?? null });

/**
 * @returns {Promise<Commands['rights_requests']['answer']>}
 */
export const rightsRequests = () => invoke('rights_requests', {});

/**
 * @param {Commands['register_rights_request']['args']['request']} request
 * @returns {Promise<Commands['register_rights_request']['answer']>}
 */
export const registerRightsRequest = (request) => invoke('register_rights_request', { request });

/**
 * @param {Commands['rights_request_detail']['args']['requestId']} requestId
 * @returns {Promise<Commands['rights_request_detail']['answer']>}
 */
export const rightsRequestDetail = (requestId) => invoke('rights_request_detail', { requestId });

/**
 * @param {Commands['advance_rights_request']['args']['requestId']} requestId
 * @param {Commands['advance_rights_request']['args']['step']} step
 * @returns {Promise<Commands['advance_rights_request']['answer']>}
 */
export const advanceRightsRequest = (requestId, step) => invoke('advance_rights_request', { requestId, step });

/**
 * @param {Commands['rectify_field']['args']['requestId']} requestId
 * @param {Commands['rectify_field']['args']['field']} field
 * @param {Commands['rectify_field']['args']['value']} value
 * @returns {Promise<Commands['rectify_field']['answer']>}
 */
export const rectifyField = (requestId, field, value) => invoke('rectify_field', { requestId, field, value });

/**
 * @param {Commands['decide_objection']['args']['requestId']} requestId
 * @param {Commands['decide_objection']['args']['accepted']} accepted
 * @param {Commands['decide_objection']['args']['grounds']} grounds
 * @returns {Promise<Commands['decide_objection']['answer']>}
 */
export const decideObjection = (requestId, accepted, grounds) => invoke('decide_objection', { requestId, accepted, grounds: grounds ?? null });

/**
 * @param {Commands['unsubscribe_participant']['args']['participantId']} participantId
 * @param {Commands['unsubscribe_participant']['args']['source']} source
 * @param {Commands['unsubscribe_participant']['args']['requestId']} requestId
 * @returns {Promise<Commands['unsubscribe_participant']['answer']>}
 */
export const unsubscribeParticipant = (participantId, source, requestId) => invoke('unsubscribe_participant', { participantId, source, requestId: requestId ?? null });

/**
 * @param {Commands['record_consent']['args']['participantId']} participantId
 * @param {Commands['record_consent']['args']['purpose']} purpose
 * @param {Commands['record_consent']['args']['granted']} granted
 * @param {Commands['record_consent']['args']['source']} source
 * @returns {Promise<Commands['record_consent']['answer']>}
 */
export const recordConsent = (participantId, purpose, granted, source) => invoke('record_consent', { participantId, purpose, granted, source });

/**
 * @param {Commands['export_access']['args']['participantId']} participantId
 * @param {Commands['export_access']['args']['requestId']} requestId
 * @param {Commands['export_access']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['export_access']['answer']>}
 */
export const exportAccess = (participantId, requestId, dialogTitle) => invoke('export_access', { participantId, requestId: requestId ?? null, dialogTitle });

/**
 * The erasure is done when this answers; the page-level check, when
 * asked for, goes on in the background (`task` events).
 * @param {Commands['erase_participant']['args']['participantId']} participantId
 * @param {Commands['erase_participant']['args']['reason']} reason
 * @param {Commands['erase_participant']['args']['requestId']} requestId
 * @param {Commands['erase_participant']['args']['deep']} deep
 * @returns {Promise<Commands['erase_participant']['answer']>}
 */
export const eraseParticipant = (participantId, reason, requestId, deep) => invoke('erase_participant', { participantId, reason, requestId: requestId ?? null, deep });

/**
 * @param {Commands['save_certificate']['args']['certificateId']} certificateId
 * @param {Commands['save_certificate']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['save_certificate']['answer']>}
 */
export const saveCertificate = (certificateId, dialogTitle) => invoke('save_certificate', { certificateId, dialogTitle });

/**
 * @returns {Promise<Commands['legal_holds']['answer']>}
 */
export const legalHolds = () => invoke('legal_holds', {});

/**
 * @returns {Promise<Commands['retention_rules']['answer']>}
 */
export const retentionRules = () => invoke('retention_rules', {});

/**
 * @param {Commands['set_retention_rule']['args']['key']} key
 * @param {Commands['set_retention_rule']['args']['value']} value
 * @returns {Promise<Commands['set_retention_rule']['answer']>}
 */
export const setRetentionRule = (key, value) => invoke('set_retention_rule', { key, value });

/**
 * @returns {Promise<Commands['retention_preview']['answer']>}
 */
export const retentionPreview = () => invoke('retention_preview', {});

/**
 * @returns {Promise<Commands['retention_run']['answer']>}
 */
export const retentionRun = () => invoke('retention_run', {});

/**
 * @param {Commands['save_quarterly_report']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['save_quarterly_report']['answer']>}
 */
export const saveQuarterlyReport = (dialogTitle) => invoke('save_quarterly_report', { dialogTitle });

/**
 * @returns {Promise<Commands['registers']['answer']>}
 */
export const registers = () => invoke('registers', {});

/**
 * @param {Commands['save_processor']['args']['processor']} processor
 * @returns {Promise<Commands['save_processor']['answer']>}
 */
export const saveProcessor = (processor) => invoke('save_processor', { processor });

/**
 * @param {Commands['save_activity']['args']['activity']} activity
 * @returns {Promise<Commands['save_activity']['answer']>}
 */
export const saveActivity = (activity) => invoke('save_activity', { activity });

/**
 * @param {Commands['publish_policy_version']['args']['version']} version
 * @returns {Promise<Commands['publish_policy_version']['answer']>}
 */
export const publishPolicyVersion = (version) => invoke('publish_policy_version', { version });

/**
 * @returns {Promise<Commands['assistance_requests']['answer']>}
 */
export const assistanceRequests = () => invoke('assistance_requests', {});

/**
 * @param {Commands['renew_assistance']['args']['requestId']} requestId
 * @returns {Promise<Commands['renew_assistance']['answer']>}
 */
export const renewAssistance = (requestId) => invoke('renew_assistance', { requestId });

/**
 * @param {Commands['close_assistance']['args']['requestId']} requestId
 * @returns {Promise<Commands['close_assistance']['answer']>}
 */
export const closeAssistance = (requestId) => invoke('close_assistance', { requestId });

/**
 * @returns {Promise<Commands['staff_accounts']['answer']>}
 */
export const staffAccounts = () => invoke('staff_accounts', {});

/**
 * @param {Commands['create_staff']['args']['username']} username
 * @param {Commands['create_staff']['args']['displayName']} displayName
 * @param {Commands['create_staff']['args']['role']} role
 * @returns {Promise<Commands['create_staff']['answer']>}
 */
export const createStaff = (username, displayName, role) => invoke('create_staff', { username, displayName, role });

/**
 * @param {Commands['reset_staff_password']['args']['staffId']} staffId
 * @returns {Promise<Commands['reset_staff_password']['answer']>}
 */
export const resetStaffPassword = (staffId) => invoke('reset_staff_password', { staffId });

/**
 * @param {Commands['issue_enrolment_code']['args']['staffId']} staffId
 * @returns {Promise<Commands['issue_enrolment_code']['answer']>}
 */
export const issueEnrolmentCode = (staffId) => invoke('issue_enrolment_code', { staffId });

/**
 * @param {Commands['deactivate_staff']['args']['staffId']} staffId
 * @returns {Promise<Commands['deactivate_staff']['answer']>}
 */
export const deactivateStaff = (staffId) => invoke('deactivate_staff', { staffId });

/**
 * Asked live from the server (it holds the last contact of each laptop).
 * @returns {Promise<Commands['laptops']['answer']>}
 */
export const laptops = () => invoke('laptops', {});

/**
 * @param {Commands['revoke_laptop']['args']['deviceId']} deviceId
 * @returns {Promise<Commands['revoke_laptop']['answer']>}
 */
export const revokeLaptop = (deviceId) => invoke('revoke_laptop', { deviceId });

/**
 * Writes the code given to a file: no store, no personal data.
 * @param {Commands['save_enrolment_code']['args']['code']} code
 * @param {Commands['save_enrolment_code']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['save_enrolment_code']['answer']>}
 */
export const saveEnrolmentCode = (code, dialogTitle) => invoke('save_enrolment_code', { code, dialogTitle });

/**
 * The spreadsheet chosen in the native dialog, read (XLSX, ODS, CSV);
 * `None` when the dialog was cancelled.
 * @param {Commands['open_families_file']['args']['dialogTitle']} dialogTitle
 * @returns {Promise<Commands['open_families_file']['answer']>}
 */
export const openFamiliesFile = (dialogTitle) => invoke('open_families_file', { dialogTitle });

/**
 * One sheet's header and columns, with the mapping saved last time or suggested.
 * @param {Commands['families_sheet']['args']['fileId']} fileId
 * @param {Commands['families_sheet']['args']['sheet']} sheet
 * @returns {Promise<Commands['families_sheet']['answer']>}
 */
export const familiesSheet = (fileId, sheet) => invoke('families_sheet', { fileId, sheet });

/**
 * The dry run: every problem by row and column, and what the import would do.
 * @param {Commands['preview_families_import']['args']['fileId']} fileId
 * @param {Commands['preview_families_import']['args']['sheet']} sheet
 * @param {Commands['preview_families_import']['args']['mapping']} mapping
 * @returns {Promise<Commands['preview_families_import']['answer']>}
 */
export const previewFamiliesImport = (fileId, sheet, mapping) => invoke('preview_families_import', { fileId, sheet, mapping });

/**
 * The import in one transaction, all or nothing (`import-progress` events meanwhile).
 * @param {Commands['apply_families_import']['args']['fileId']} fileId
 * @param {Commands['apply_families_import']['args']['sheet']} sheet
 * @param {Commands['apply_families_import']['args']['mapping']} mapping
 * @returns {Promise<Commands['apply_families_import']['answer']>}
 */
export const applyFamiliesImport = (fileId, sheet, mapping) => invoke('apply_families_import', { fileId, sheet, mapping });

/**
 * Forgets the opened file.
 * @param {Commands['close_families_file']['args']['fileId']} fileId
 * @returns {Promise<Commands['close_families_file']['answer']>}
 */
export const closeFamiliesFile = (fileId) => invoke('close_families_file', { fileId });

/**
 * The months published, latest first (trainers: those with a cell of their groups).
 * @returns {Promise<Commands['statistics_months']['answer']>}
 */
export const statisticsMonths = () => invoke('statistics_months', {});

/**
 * One month's tables: sections, funnels, formats (trainers: their groups' funnels).
 * @param {Commands['statistics_month']['args']['month']} month
 * @returns {Promise<Commands['statistics_month']['answer']>}
 */
export const statisticsMonth = (month) => invoke('statistics_month', { month });

/**
 * A month's cells saved as CSV where the user chooses (`language`: `fr` or `en`).
 * @param {Commands['statistics_export']['args']['month']} month
 * @param {Commands['statistics_export']['args']['dialogTitle']} dialogTitle
 * @param {Commands['statistics_export']['args']['language']} language
 * @returns {Promise<Commands['statistics_export']['answer']>}
 */
export const statisticsExport = (month, dialogTitle, language) => invoke('statistics_export', { month, dialogTitle, language });

/**
 * @returns {Promise<Commands['sync_status']['answer']>}
 */
export const syncStatus = () => invoke('sync_status', {});

/**
 * @returns {Promise<Commands['sync_now']['answer']>}
 */
export const syncNow = () => invoke('sync_now', {});

/**
 * @param {Commands['dismiss_refusal']['args']['opId']} opId
 * @returns {Promise<Commands['dismiss_refusal']['answer']>}
 */
export const dismissRefusal = (opId) => invoke('dismiss_refusal', { opId });
