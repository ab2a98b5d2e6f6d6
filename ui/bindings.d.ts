// Generated from crates/contract and the Rust types by `cargo test -p moniravique-desktop --test contract` (UPDATE_BINDINGS=1 to rewrite). Do not edit.

export type Action = { "kind": "reactivate" } | { "kind": "mark_inactive" } | { "kind": "queue_reminder" } | { "kind": "erase_account" } | { "kind": "delete_traces", count: number, } | { "kind": "release_hold", record_table: string, } | { "kind": "delete_audit_entries", count: number, };

export type ActionKind = "reactivate" | "mark_inactive" | "queue_reminder" | "erase_account" | "delete_traces" | "release_hold" | "delete_audit_entries";

export type ActionRow = { at: string, staff: string, action: string, field: string | null, detail: string | null, };

export type Activity = { id: string | null, name: string, purpose: string, legal_basis: string, balancing_test: string | null, data_categories: string, retention: string, };

export type AgeBracket = "0-3" | "4-6" | "7-11" | "12-15" | "16-18";

export type AlertRow = { id: string, kind: string, staff_id: string, 
/**
 * The staff member's display name, when the laptop holds the account.
 */
staff_name: string | null, device_id: string, first_at: string, last_at: string, entries: number, raised_at: string, acknowledged: boolean, };

export type AppInfo = { version: string, demo: boolean, demo_accounts: Array<DemoAccount>, store_error: StoreErrorDto | null, 
/**
 * Whether this laptop can sign in already: it is connected to a
 * server, or its store holds accounts of its own (a standalone demo
 * store). A freshly installed laptop cannot, and opens on "Connect
 * this laptop" (issue 14).
 */
connected: boolean, 
/**
 * A code offered by whoever started the app (the demo's own), to fill
 * the connect screen; never one typed by a person.
 */
offered_code: string | null, 
/**
 * On a demo laptop, the demo account the offered code is for.
 */
offered_account: DemoAccount | null, };

export type Applied = { 
/**
 * Paid or waived requests whose place is now confirmed.
 */
confirmed: number, 
/**
 * Requests given a group that still wait for their payment.
 */
awaiting_payment: number, score: Score, };

export type AssistanceRow = { id: string, participant_id: string, person: string, support: string, opened_at: string, expires_at: string, 
/**
 * Past its expiry: support no longer reaches the account.
 */
expired: boolean, };

export type AttendanceDto = { session: string, joined_at: string, left_at: string | null, };

export type AuditEntryDto = { seq: number, at: string, actor: string, device: string, action: string, participant_id: string | null, outcome: string, };

export type AuditPage = { total: number, entries: Array<AuditEntryDto>, };

export type BalancingView = { programme_id: string, groups: Array<GroupFigure>, registrations: Array<PendingRegistration>, 
/**
 * Enrolment id → group id.
 */
assignments: { [key in string]?: string }, unplaced: Array<string>, score: Score, };

export type Channel = "phone" | "paper" | "walk_in" | "website" | "import";

export type Column = { 
/**
 * 0-based.
 */
index: number, 
/**
 * As the spreadsheet names it (A, B, …).
 */
letter: string, 
/**
 * The header's text, "group — column" under a group header; empty when
 * the column has no header.
 */
label: string, };

export type ConsentChoice = { purpose: ConsentPurpose, granted: boolean, };

export type ConsentEvent = { purpose: ConsentPurpose, granted: boolean, recorded_at: string, source: ConsentSource, };

export type ConsentPurpose = "newsletter" | "testimonials" | "studies";

export type ConsentSource = "platform" | "email" | "post" | "phone" | "in_person" | "import";

export type Deactivated = { 
/**
 * Laptops revoked here (on a laptop, none: the server revokes them
 * when the operation reaches it, and each wipes itself at its next contact).
 */
revoked_devices: number, groups: Array<GroupToReassign>, };

export type Deadlines = { received: string, 
/**
 * The policy's target: 15 jours ouvrables.
 */
policy_target: string, 
/**
 * The policy's exceptional extension: one month.
 */
policy_extended: string, 
/**
 * GDPR art. 12(3): one month; also the last day to tell the person of an extension.
 */
legal: string, 
/**
 * GDPR art. 12(3) extended by two further months.
 */
legal_extended: string, };

export type Decision = "accepted" | "rejected";

export type DemoAccount = { username: string, password: string, role: Role, display_name: string, };

export type DeviceRow = { id: string, label: string, staff_id: string, username: string, display_name: string, registered_at: string, last_contact_at: string | null, revoked_at: string | null, manageable: boolean, };

export type EnrolmentDto = { group: string, status: string, 
/**
 * `None` for roles that may not see payment status.
 */
payment_status: string | null, };

export type EnrolmentStatus = "requested" | "waitlisted" | "confirmed" | "cancelled";

export type Erased = { certificate_id: string, 
/**
 * The certificate's reference, what was deleted and kept, the targeted check.
 */
summary: Record<string, unknown>, 
/**
 * The page-level check going on in the background (`task` events), if asked for.
 */
deep_check_task: string | null, };

export type ErasureReason = "request" | "minor_discovered" | "retention";

export type ErrorCode = "not_signed_in" | "not_permitted" | "not_found" | "invalid_input" | "store" | "io" | "dialog" | "export" | "keyring_unreachable" | "key_missing" | "wrong_key" | "corrupted" | "not_encrypted" | "migration" | "bad_credentials" | "slowed_down" | "locked" | "offline" | "not_configured" | "not_registered" | "bad_certificate" | "unauthenticated" | "token_expired" | "device_revoked" | "malformed" | "too_large" | "protocol" | "server" | "erased" | "busy" | "no_backend" | "unknown" | "payment_required" | "group_full" | "wrong_state" | "wrong_programme" | "same_group" | "room_clash" | "trainer_clash" | "room_too_small" | "capacity_below_confirmed" | "invalid_proposal" | "not_author" | "received_in_future" | "objection_purpose_required" | "request_closed" | "identity_method_required" | "identity_already_checked" | "identity_not_checked" | "already_started" | "already_extended" | "extension_too_late" | "extension_grounds_required" | "refusal_grounds_required" | "objection_undecided" | "objection_decided" | "objection_grounds_required" | "wrong_request_type" | "request_detached" | "email_taken" | "nothing_to_rectify" | "consent_unchanged" | "erasure_request_required" | "balancing_test_required" | "safeguard_required" | "effective_in_past" | "notice_too_short" | "version_exists" | "retention_unknown_key" | "retention_zero" | "retention_too_long" | "retention_reminder_not_after_inactive" | "retention_above_policy_maximum" | "retention_below_legal_minimum" | "username_taken" | "role_not_managed" | "own_account" | "account_inactive" | "password_too_short" | "password_too_long" | "password_too_simple" | "password_common" | "password_contains_username" | "password_unchanged" | "password_change_required" | "enrolment_code_malformed" | "enrolment_code_invalid" | "enrolment_code_used" | "enrolment_code_expired" | "fingerprint_mismatch" | "already_connected" | "server_restored" | "certification_required" | "registration_invalid" | "unknown_programme" | "not_refundable" | "already_matched" | "import_file_unreadable" | "import_file_too_large" | "import_file_closed" | "import_sheet_unknown" | "import_has_problems";

export type Exported = { 
/**
 * False when the user cancelled the dialog (nothing was read or written).
 */
saved: boolean, rows: number, };

export type FamiliesFile = { file_id: string, file_name: string, 
/**
 * `xlsx`, `ods`, `xls`, `xlsb` or `csv`.
 */
format: string, sheets: Array<SheetSummary>, 
/**
 * The sheet whose header names the most fields.
 */
suggested_sheet: string | null, };

export type FamilyDto = { children_count: number, age_brackets: Array<string>, 
/**
 * `None` for roles that see age brackets only (ROLE-3).
 */
challenges: string | null, };

export type Field = "given_name" | "family_name" | "email" | "phone" | "children_count" | "age_brackets" | "programme_id" | "preferred_slots" | "consents" | "policy_version" | "certified_16_plus_at";

export type FormOptions = { programmes: Array<ProgrammeOption>, 
/**
 * The privacy policy version the consents will be recorded under.
 */
policy_version: string | null, channels: Array<Channel>, };

export type FormatRow = { 
/**
 * `workshop`, `webinar` or `forum`.
 */
format: string, 
/**
 * In the order of `Measure::ALL`.
 */
measures: Array<MeasureRow>, 
/**
 * attended / scheduled.
 */
attendance_rate: Rate, 
/**
 * questions / attended.
 */
questions_per_attendee: Rate, 
/**
 * completed to date / enrolled to date.
 */
completion_rate: Rate, };

export type Funnel = { 
/**
 * The programme's or the group's id.
 */
id: string, 
/**
 * Its name in the planning.
 */
name: string, 
/**
 * For a group, its programme's id and name.
 */
programme_id: string | null, programme: string | null, steps: Array<StepRow>, };

export type GroupFigure = { id: string, name: string, slot: string, capacity: number, confirmed: number, 
/**
 * Headcount after the proposal (confirmed + assigned).
 */
proposed: number, };

export type GroupRow = { id: string, name: string, programme_id: string, programme: string, slot: string, trainer: string, capacity: number, confirmed: number, waitlisted: number, requested: number, schedule: string, room: string | null, };

export type GroupToReassign = { id: string, name: string, };

export type HoldRow = { id: string, subject_ref: string, record_table: string, record_id: string, reason: string, held_until: string, amount_cents: number | null, number: string | null, };

export type ImportCounts = { 
/**
 * Rows imported (or that would be).
 */
rows: number, 
/**
 * People created.
 */
new_people: number, 
/**
 * Rows whose e-mail was a known person's (matched, not duplicated).
 */
known_people: number, 
/**
 * Requests added to the registrations inbox.
 */
requests_added: number, 
/**
 * Rows whose programme the person had already requested or held.
 */
already_requested: number, };

export type ImportPreview = { 
/**
 * Rows with data under the header.
 */
data_rows: number, counts: ImportCounts, 
/**
 * Rows refused (with at least one problem).
 */
refused_rows: number, 
/**
 * Every problem, by row then column.
 */
problems: Array<RowProblem>, mapping_problems: Array<MappingProblem>, };

export type ImportProgress = { file_id: string, 
/**
 * `preview` or `apply`.
 */
stage: string, done: number, total: number, };

export type ImportSummary = { import_id: string, 
/**
 * "attendance" or "questions".
 */
kind: string, rows: number, matched: number, 
/**
 * Rows already imported earlier (same person, same time): not added twice.
 */
duplicates: number, unmatched: Array<UnmatchedRow>, };

export type Imported = { 
/**
 * False when the user cancelled the dialog.
 */
opened: boolean, summary: ImportSummary | null, };

export type Issued = { staff_id: string, 
/**
 * The one-time password (new account, reset); `None` for a code alone.
 */
one_time_password: string | null, 
/**
 * The enrolment code that connects a new laptop to the account.
 */
code: string, expires_at: string, 
/**
 * The server certificate's SHA-256, as people compare it.
 */
fingerprint: string, };

export type KindCount = { items: number, 
/**
 * Rows concerned (a batch counts its rows).
 */
records: number, overdue: number, };

export type KnownPerson = { participant_id: string, given_name: string, family_name: string, };

export type LegalBasis = "contract" | "consent" | "legitimate_interest" | "legal_obligation";

export type ManualPayment = { enrolment_id: string, method: PaymentMethod, 
/**
 * The day the money was received (Europe/Paris calendar day).
 */
received_on: string, amount_cents: number, 
/**
 * The cheque's number or the transfer's label; empty for cash.
 */
reference: string, };

export type MappingProblem = { target: Target, 
/**
 * `required` or `duplicate`.
 */
problem: Problem, };

export type MeasureRow = { measure: string, value: number | null, hidden: boolean, };

export type MonthTables = { month: string, 
/**
 * Most viewed first, hidden cells last.
 */
sections: Array<SectionRow>, 
/**
 * Per programme, by name.
 */
programmes: Array<Funnel>, 
/**
 * Per group, by programme and name.
 */
groups: Array<Funnel>, 
/**
 * In the order of `Format::ALL`, the formats with cells.
 */
formats: Array<FormatRow>, };

export type NewPolicyVersion = { version: string, effective_on: string, significant: boolean, summary: string, };

export type NewRequest = { participant_id: ParticipantId, kind: RequestKind, channel: Channel, 
/**
 * The date of receipt (Europe/Paris), from which deadlines count.
 */
received_on: string, 
/**
 * For an objection: the processing objected to.
 */
objection_purpose: ObjectionPurpose | null, };

export type NoteDto = { id: string, body: string, written_at: string, author: string, };

export type ObjectionPurpose = "module_suggestions" | "statistics";

export type ObjectiveDto = { id: string, body: string, declared_at: string, };

export type Offer = { enrolment_id: string, participant_id: string, group_id: string, };

export type OutboxRow = { id: string, participant_id: string, given_name: string, family_name: string, template: string, subject: string, queued_at: string, status: string, };

export type ParticipantId = string;

export type ParticipantRow = { id: string, given_name: string, family_name: string, email: string, 
/**
 * `None` when the role may not read identity beyond name and e-mail.
 */
phone: string | null, groups: Array<string>, };

export type PaymentMethod = "helloasso" | "cheque" | "transfer" | "cash" | "card";

export type PaymentRow = { payment_id: string, method: PaymentMethod, status: PaymentStatus, paid_at: string | null, refunded_at: string | null, 
/**
 * Recorded by hand (the office may refund it); processor payments are
 * refunded at the processor.
 */
manual: boolean, };

export type PaymentState = "confirmed" | "pending" | "refunded" | "none";

export type PaymentStatus = "confirmed" | "pending" | "refunded";

export type PendingRegistration = { enrolment_id: string, participant_id: string, given_name: string, family_name: string, available_slots: Array<string>, preferred_slot: string | null, bracket: string | null, payment: PaymentState, waiver: boolean, };

export type Placement = { "outcome": "confirmed" } | { "outcome": "waitlisted", position: number, };

export type PlanItem = { action: Action, 
/**
 * Pseudonymous participant id (accounts), hold id (holds), or
 * `technical_traces:YYYY-MM-DD` / `audit_log:YYYY-MM-DD` (the recording day
 * of a batch). Never personal data.
 */
subject: string, 
/**
 * The day the retention period expired.
 */
due_since: string, 
/**
 * `due_since` + `execution_grace_days` (POL-33).
 */
deadline: string, 
/**
 * Today (the plan's `now`) is after the deadline.
 */
overdue: boolean, };

export type PlanSummary = { items: number, overdue: number, per_action: { [key in ActionKind]?: KindCount }, };

export type PlannedSession = { id: string, title: string, kind: string, starts_at: string, ends_at: string, room_id: string | null, };

export type PolicyVersion = { id: string, version: string, published_at: string, effective_at: string, significant: boolean, summary: string, 
/**
 * How many people were notified of this version (POL-36).
 */
notified: number, };

export type Preferences = { 
/**
 * Purpose → current state (`None`: never asked).
 */
current: Array<[ConsentPurpose, boolean | null]>, history: Array<ConsentEvent>, marketing_opt_out: boolean, objects_to_suggestions: boolean, objects_to_statistics: boolean, };

export type PreparationSheet = { session: SessionRow, past_sessions: number, participants: Array<SheetEntry>, };

export type Preview = { summary: PlanSummary, 
/**
 * The first items, in plan order (the whole plan can be long).
 */
items: Array<PlanItem>, total: number, };

export type Problem = "required" | "too_long" | "malformed" | "out_of_range" | "duplicate" | "in_future" | "unknown";

export type Processor = { id: string | null, name: string, service: string, country: string, outside_eea: boolean, transfer_safeguard: string | null, };

export type Profile = { id: string, given_name: string, family_name: string, email: string, phone: string | null, certified_16_plus_at: string | null, last_login_at: string | null, family: FamilyDto | null, objectives: Array<ObjectiveDto> | null, progress_notes: Array<NoteDto> | null, questions: Array<QuestionDto> | null, attendance: Array<AttendanceDto> | null, enrolments: Array<EnrolmentDto> | null, 
/**
 * POL-7, POL-26: current consents and objections (DPO only).
 */
preferences: Preferences | null, };

export type ProgrammeOption = { id: string, name: string, slots: Array<string>, };

export type QuestionDto = { id: string, body: string, asked_at: string, session: string, };

export type Queued = { queued: number, skipped: Array<Skipped>, };

export type Rate = { value: number | null, hidden: boolean, };

export type RectifiableField = "given_name" | "family_name" | "email" | "phone" | "marketing_opt_out" | "children_count" | "age_brackets" | "challenges";

export type Refusal = { op_id: string, kind: string, subject_id: string | null, code: string, message: string, refused_at: string, };

export type Registered = { participant_id: string, 
/**
 * The request in the inbox (`None` when no programme was asked for).
 */
enrolment_id: string | null, 
/**
 * The e-mail was a known person's: nothing was duplicated.
 */
known: boolean, 
/**
 * The programme was already requested or held: the earlier request stands.
 */
already_requested: boolean, };

export type Registers = { activities: Array<Activity>, processors: Array<Processor>, policy_versions: Array<PolicyVersion>, };

export type Registration = { given_name: string, family_name: string, email: string, phone: string | null, 
/**
 * How many children the parent mentions (POL-2), if they say.
 */
children_count: number | null, 
/**
 * One bracket per child mentioned (ROLE-3: what the office composes groups with).
 */
age_brackets: Array<AgeBracket>, 
/**
 * The programme asked for; a spreadsheet row of a family already
 * followed may have none (the person is known, nothing is requested).
 */
programme_id: string | null, 
/**
 * The slots the person can attend, best first.
 */
preferred_slots: Array<string>, 
/**
 * The purposes the person answered; absent means not given.
 */
consents: Array<ConsentChoice>, 
/**
 * The version of the privacy policy the person was shown (the one in
 * force when the office registers).
 */
policy_version: string | null, 
/**
 * When the person certified being 16 or older (POL-35).
 */
certified_16_plus_at: string | null, channel: Channel, };

export type RegistrationRow = { enrolment_id: string, participant_id: string, given_name: string, family_name: string, email: string, programme_id: string, programme: string, group_id: string | null, group: string | null, status: EnrolmentStatus, available_slots: Array<string>, preferred_slot: string | null, requested_at: string, payment: PaymentState, waiver_reason: string | null, };

export type Release = { 
/**
 * `YYYY-MM`.
 */
month: string, published_at: string, 
/**
 * The month's cells the actor may read, and how many of them are published.
 */
cells: number, published: number, };

export type Rendered = { subject: string, body: string, };

export type Report = { pushed: number, refused: number, audit_pushed: number, pulls: number, participants_updated: number, participants_purged: number, participants_erased: number, operations_dropped: number, };

export type RequestDetail = { request: RequestRow, actions: Array<ActionRow>, };

export type RequestKind = "access" | "rectification" | "erasure" | "objection" | "portability" | "unsubscribe";

export type RequestRow = { id: string, 
/**
 * A short reference to quote to the person, e.g. `DR-2026-3f9a1c`.
 */
reference: string, participant_id: string | null, 
/**
 * The person's name while they exist (the register keeps no identity after erasure).
 */
person: string | null, kind: RequestKind, channel: Channel, received_on: string, status: RequestStatus, identity_check_method: string | null, identity_checked_at: string | null, grounds: string | null, objection_purpose: ObjectionPurpose | null, decision: Decision | null, answered_at: string | null, deadlines: Deadlines, 
/**
 * The date that applies now: the policy target, or the extended date.
 */
due: string, 
/**
 * `None` once the request is closed.
 */
urgency: Urgency | null, open: boolean, };

export type RequestStatus = "received" | "identity_checked" | "in_progress" | "extended" | "answered" | "refused";

export type Resources = { rooms: Array<Room>, trainers: Array<Trainer>, };

export type RetentionAction = { kind: ActionKind, rule_id: string, };

export type Role = "trainer" | "external_trainer" | "administrator" | "support" | "dpo";

export type Room = { id: string, name: string, capacity: number, };

export type RowProblem = { 
/**
 * The row as the office sees it (1-based).
 */
row: number, 
/**
 * The column's letter, when one column holds the field.
 */
column: string | null, 
/**
 * That column's header.
 */
header: string | null, field: Field, problem: Problem, };

export type RuleEntry = { 
/**
 * Stable key, the field name (`inactive_after_months`…), used by [`RetentionRules::set`].
 */
key: string, value: number, unit: Unit, 
/**
 * The requirement the rule comes from, e.g. `"POL-29"`.
 */
rule_id: string, minimum: number, maximum: number, };

export type RunOutcome = { run_id: string, summary: PlanSummary, executed: number, };

export type Saved = { 
/**
 * False when the user cancelled the dialog (nothing was written).
 */
saved: boolean, categories: number, records: number, };

export type Score = { unplaced: number, gap: number, unmet_preferences: number, age_penalty: number, };

export type SectionRow = { section: string, 
/**
 * `None` exactly when hidden.
 */
value: number | null, hidden: boolean, };

export type SessionDto = { staff_id: string, username: string, display_name: string, role: Role, 
/**
 * Until the person sets their own password, nothing else is allowed.
 */
must_change_password: boolean, };

export type SessionKind = "webinar" | "in_person";

export type SessionRow = { id: string, group_id: string, group_name: string, title: string, kind: string, starts_at: string, ends_at: string, room: string | null, enrolled: number, };

export type SheetEntry = { participant_id: string, given_name: string, family_name: string, objectives: Array<SheetObjective>, 
/**
 * The latest notes first (at most 5).
 */
notes: Array<SheetNote>, questions: Array<SheetQuestion>, 
/**
 * Past sessions of the group the person attended, out of `past_sessions`.
 */
attended: number, 
/**
 * Whether attendance is recorded for this very session.
 */
present: boolean, };

export type SheetLayout = { sheet: string, 
/**
 * The header's row as the office sees it (1-based).
 */
header_row: number, columns: Array<Column>, 
/**
 * One target per column: saved last time, or suggested by its header.
 */
mapping: Array<Target>, 
/**
 * Whether a mapping saved on this laptop was used.
 */
saved: boolean, 
/**
 * Every target, in the order the window offers them.
 */
targets: Array<Target>, data_rows: number, };

export type SheetNote = { id: string, body: string, written_at: string, author: string, mine: boolean, };

export type SheetObjective = { id: string, body: string, declared_at: string, };

export type SheetQuestion = { text: string, asked_at: string, };

export type SheetSummary = { name: string, 
/**
 * Rows with data under the header.
 */
rows: number, 
/**
 * Columns whose header names a field.
 */
recognised: number, };

export type Skipped = { participant_id: string, 
/**
 * "objected" (POL-26) or "unsubscribed".
 */
reason: string, };

export type StaffRow = { id: string, username: string, display_name: string, role: Role, active: boolean, must_change_password: boolean, 
/**
 * May the signed-in staff member manage this account?
 */
manageable: boolean, 
/**
 * Is it the signed-in staff member's own account (no reset, no
 * deactivation of oneself)?
 */
own: boolean, };

export type Step = { "step": "check_identity", method: string, } | { "step": "start" } | { "step": "extend", grounds: string, } | { "step": "answer", note: string | null, } | { "step": "refuse", grounds: string, };

export type StepRow = { 
/**
 * `enrolled`, `session-<n>` or `completed`.
 */
step: string, 
/**
 * The session's number for `session-<n>`.
 */
session: number | null, value: number | null, hidden: boolean, };

export type StoreErrorDto = { code: ErrorCode, };

export type SyncStatusDto = { configured: boolean, server_url: string | null, 
/**
 * Whether a round is going on now.
 */
syncing: boolean, pending: number, to_fetch: number, last_sync_at: string | null, 
/**
 * The last round's error code (`offline`, `token_expired`…), if it failed.
 */
last_error: string | null, refusals: Array<Refusal>, };

export type Target = "ignore" | "given_name" | "family_name" | "email" | "phone" | "children_count" | "age_brackets" | "programme" | "preferred_slots" | "consent_newsletter" | "consent_testimonials" | "consent_studies" | "certified_16_plus";

export type TaskEvent = { id: string, kind: TaskKind, state: TaskState, 
/**
 * The certificate the task completes (deep check).
 */
certificate_id: string | null, 
/**
 * Pages and WAL frames read, and occurrences found (deep check).
 */
pages: number, occurrences: number, error: UiError | null, };

export type TaskKind = "deep_check";

export type TaskState = "running" | "done" | "failed";

export type Template = "webinar_reminder" | "registration_confirmation" | "module_suggestion";

export type Trainer = { id: string, display_name: string, external: boolean, };

export type UiError = { code: ErrorCode, details: { [key in string]?: string }, };

export type Unit = "months" | "years" | "days";

export type UnmatchedPayment = { unmatched_id: string, method: PaymentMethod, payer_name: string, payer_email: string, status: PaymentStatus, paid_at: string | null, received_at: string, };

export type UnmatchedRow = { id: string, line: number, kind: string, name: string, email: string, starts_at: string, };

export type Urgency = "on_track" | "at_risk" | "overdue";

export type Verification = { ok: boolean, checked: number, 
/**
 * `seq` of the first entry that does not verify.
 */
first_broken: number | null, reason: string | null, };

export type Vocabularies = { request_kinds: Array<RequestKind>, channels: Array<Channel>, objection_purposes: Array<ObjectionPurpose>, consent_purposes: Array<ConsentPurpose>, consent_sources: Array<ConsentSource>, rectifiable_fields: Array<RectifiableField>, age_brackets: Array<AgeBracket>, session_kinds: Array<SessionKind>, templates: Array<Template>, legal_bases: Array<LegalBasis>, error_codes: Array<ErrorCode>, 
/**
 * The policy's durations, as the DPO's settings start (POL-29..33).
 */
retention_defaults: Array<RuleEntry>, 
/**
 * The sweep's operations in plan order, with the requirement behind each.
 */
retention_actions: Array<RetentionAction>, };

/** Every command of the window: its arguments and its answer. */
export interface Commands {
  app_info: { args: {}; answer: AppInfo };
  sign_in: { args: { username: string; password: string }; answer: SessionDto };
  sign_out: { args: {}; answer: null };
  current_session: { args: {}; answer: SessionDto | null };
  connect_laptop: { args: { code: string; password: string }; answer: SessionDto };
  open_enrolment_file: { args: { dialogTitle: string }; answer: string | null };
  change_password: { args: { current: string; newPassword: string }; answer: SessionDto };
  vocabularies: { args: {}; answer: Vocabularies };
  list_participants: { args: { query: string | null }; answer: Array<ParticipantRow> };
  participant_profile: { args: { participantId: ParticipantId }; answer: Profile };
  list_groups: { args: {}; answer: Array<GroupRow> };
  audit_trail: { args: { limit: number; offset: number }; answer: AuditPage };
  verify_audit_chain: { args: {}; answer: Verification };
  audit_alerts: { args: {}; answer: Array<AlertRow> };
  acknowledge_alert: { args: { alertId: string }; answer: null };
  upcoming_sessions: { args: {}; answer: Array<SessionRow> };
  preparation_sheet: { args: { sessionId: string }; answer: PreparationSheet };
  add_progress_note: { args: { participantId: ParticipantId; body: string }; answer: string };
  edit_progress_note: { args: { noteId: string; body: string }; answer: null };
  add_objective: { args: { participantId: ParticipantId; body: string }; answer: string };
  edit_objective: { args: { objectiveId: string; body: string }; answer: null };
  set_attendance: { args: { sessionId: string; participantId: ParticipantId; present: boolean }; answer: null };
  registrations: { args: { groupId: string | null }; answer: Array<RegistrationRow> };
  confirm_place: { args: { enrolmentId: string; groupId: string; waiverReason: string | null }; answer: Placement };
  cancel_enrolment: { args: { enrolmentId: string }; answer: Offer | null };
  move_enrolment: { args: { enrolmentId: string; groupId: string }; answer: Offer | null };
  registration_form: { args: {}; answer: FormOptions };
  lookup_person: { args: { email: string }; answer: KnownPerson | null };
  register_family: { args: { registration: Registration }; answer: Registered };
  registration_payments: { args: { enrolmentId: string }; answer: Array<PaymentRow> };
  record_payment: { args: { payment: ManualPayment }; answer: string };
  refund_payment: { args: { paymentId: string }; answer: null };
  unmatched_payments: { args: {}; answer: Array<UnmatchedPayment> };
  match_payment: { args: { unmatchedId: string; enrolmentId: string }; answer: string };
  planning_resources: { args: {}; answer: Resources };
  group_sessions: { args: { groupId: string }; answer: Array<PlannedSession> };
  add_session: { args: { groupId: string; title: string; kind: SessionKind; startsAt: string; endsAt: string; roomId: string | null }; answer: string };
  update_group: { args: { groupId: string; trainerId: string | null; roomId: string | null; capacity: number | null }; answer: null };
  balancing_propose: { args: { programmeId: string }; answer: BalancingView };
  balancing_evaluate: { args: { programmeId: string; assignments: { [key in string]?: string } }; answer: BalancingView };
  balancing_apply: { args: { programmeId: string; assignments: { [key in string]?: string } }; answer: Applied };
  message_preview: { args: { template: Template; participantId: ParticipantId; sessionId: string | null; groupId: string | null; programmeId: string | null }; answer: Rendered };
  queue_messages: { args: { template: Template; groupId: string; sessionId: string | null; programmeId: string | null }; answer: Queued };
  outbox: { args: {}; answer: Array<OutboxRow> };
  export_contact_list: { args: { groupId: string; dialogTitle: string }; answer: Exported };
  import_report: { args: { sessionId: string; dayFirst: boolean | null; dialogTitle: string }; answer: Imported };
  unmatched_rows: { args: { sessionId: string }; answer: Array<UnmatchedRow> };
  resolve_unmatched: { args: { rowId: string; participantId: ParticipantId | null }; answer: null };
  rights_requests: { args: {}; answer: Array<RequestRow> };
  register_rights_request: { args: { request: NewRequest }; answer: RequestRow };
  rights_request_detail: { args: { requestId: string }; answer: RequestDetail };
  advance_rights_request: { args: { requestId: string; step: Step }; answer: RequestRow };
  rectify_field: { args: { requestId: string; field: RectifiableField; value: string }; answer: null };
  decide_objection: { args: { requestId: string; accepted: boolean; grounds: string | null }; answer: RequestRow };
  unsubscribe_participant: { args: { participantId: ParticipantId; source: ConsentSource; requestId: string | null }; answer: Preferences };
  record_consent: { args: { participantId: ParticipantId; purpose: ConsentPurpose; granted: boolean; source: ConsentSource }; answer: Preferences };
  export_access: { args: { participantId: ParticipantId; requestId: string | null; dialogTitle: string }; answer: Saved };
  erase_participant: { args: { participantId: ParticipantId; reason: ErasureReason; requestId: string | null; deep: boolean }; answer: Erased };
  save_certificate: { args: { certificateId: string; dialogTitle: string }; answer: Saved };
  legal_holds: { args: {}; answer: Array<HoldRow> };
  retention_rules: { args: {}; answer: Array<RuleEntry> };
  set_retention_rule: { args: { key: string; value: number }; answer: Array<RuleEntry> };
  retention_preview: { args: {}; answer: Preview };
  retention_run: { args: {}; answer: RunOutcome };
  save_quarterly_report: { args: { dialogTitle: string }; answer: Saved };
  registers: { args: {}; answer: Registers };
  save_processor: { args: { processor: Processor }; answer: string };
  save_activity: { args: { activity: Activity }; answer: string };
  publish_policy_version: { args: { version: NewPolicyVersion }; answer: PolicyVersion };
  assistance_requests: { args: {}; answer: Array<AssistanceRow> };
  renew_assistance: { args: { requestId: string }; answer: AssistanceRow };
  close_assistance: { args: { requestId: string }; answer: null };
  staff_accounts: { args: {}; answer: Array<StaffRow> };
  create_staff: { args: { username: string; displayName: string; role: Role }; answer: Issued };
  reset_staff_password: { args: { staffId: string }; answer: Issued };
  issue_enrolment_code: { args: { staffId: string }; answer: Issued };
  deactivate_staff: { args: { staffId: string }; answer: Deactivated };
  laptops: { args: {}; answer: Array<DeviceRow> };
  revoke_laptop: { args: { deviceId: string }; answer: boolean };
  save_enrolment_code: { args: { code: string; dialogTitle: string }; answer: boolean };
  open_families_file: { args: { dialogTitle: string }; answer: FamiliesFile | null };
  families_sheet: { args: { fileId: string; sheet: string }; answer: SheetLayout };
  preview_families_import: { args: { fileId: string; sheet: string; mapping: Array<Target> }; answer: ImportPreview };
  apply_families_import: { args: { fileId: string; sheet: string; mapping: Array<Target> }; answer: ImportCounts };
  close_families_file: { args: { fileId: string }; answer: null };
  statistics_months: { args: {}; answer: Array<Release> };
  statistics_month: { args: { month: string }; answer: MonthTables };
  statistics_export: { args: { month: string; dialogTitle: string; language: string }; answer: Exported };
  sync_status: { args: {}; answer: SyncStatusDto };
  sync_now: { args: {}; answer: Report };
  dismiss_refusal: { args: { opId: string }; answer: null };
}
