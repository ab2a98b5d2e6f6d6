//! The operations the desktop's commands call, one function each, every one
//! taking the acting staff member (POL-20). Wire types (what the UI receives)
//! live here too, apart from the diesel models.
//!
//! **Invariant**: each function authorizes first (the policy table in
//! `domain::access`), then limits rows to the actor's scope, then audits.

use crate::audit::{self, Outcome};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{access, authorize, Access, Category, Scope};
use domain::time::to_rfc3339;
use domain::Actor;
use serde::Serialize;
use std::collections::HashMap;

/// Every command the UI can call. The matrix test (`tests/access_matrix.rs`)
/// has one row per command and role; the desktop crate checks that each
/// `#[tauri::command]` is listed here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    AppInfo,
    SignIn,
    SignOut,
    CurrentSession,
    ListParticipants,
    ParticipantProfile,
    ListGroups,
    AuditTrail,
    VerifyAuditChain,
    UpcomingSessions,
    PreparationSheet,
    AddProgressNote,
    EditProgressNote,
    AddObjective,
    EditObjective,
    Registrations,
    ConfirmPlace,
    CancelEnrolment,
    MoveEnrolment,
    PlanningResources,
    GroupSessions,
    AddSession,
    UpdateGroup,
    BalancingPropose,
    BalancingEvaluate,
    BalancingApply,
    ImportReport,
    UnmatchedRows,
    ResolveUnmatched,
    MessagePreview,
    QueueMessages,
    Outbox,
    ExportContactList,
    SetAttendance,
    RightsRequests,
    RegisterRightsRequest,
    RightsRequestDetail,
    AdvanceRightsRequest,
    RectifyField,
    DecideObjection,
    UnsubscribeParticipant,
    RecordConsent,
    ExportAccess,
    EraseParticipant,
    SaveCertificate,
    LegalHolds,
    RetentionRules,
    SetRetentionRule,
    RetentionPreview,
    RetentionRun,
    SaveQuarterlyReport,
    Registers,
    SaveProcessor,
    SaveActivity,
    PublishPolicyVersion,
    AssistanceRequests,
    RenewAssistance,
    CloseAssistance,
    SyncStatus,
    SyncNow,
    DismissRefusal,
    AuditAlerts,
    AcknowledgeAlert,
}

impl Command {
    pub const ALL: [Command; 63] = [
        Command::AppInfo,
        Command::SignIn,
        Command::SignOut,
        Command::CurrentSession,
        Command::ListParticipants,
        Command::ParticipantProfile,
        Command::ListGroups,
        Command::AuditTrail,
        Command::VerifyAuditChain,
        Command::UpcomingSessions,
        Command::PreparationSheet,
        Command::AddProgressNote,
        Command::EditProgressNote,
        Command::AddObjective,
        Command::EditObjective,
        Command::Registrations,
        Command::ConfirmPlace,
        Command::CancelEnrolment,
        Command::MoveEnrolment,
        Command::PlanningResources,
        Command::GroupSessions,
        Command::AddSession,
        Command::UpdateGroup,
        Command::BalancingPropose,
        Command::BalancingEvaluate,
        Command::BalancingApply,
        Command::ImportReport,
        Command::UnmatchedRows,
        Command::ResolveUnmatched,
        Command::MessagePreview,
        Command::QueueMessages,
        Command::Outbox,
        Command::ExportContactList,
        Command::SetAttendance,
        Command::RightsRequests,
        Command::RegisterRightsRequest,
        Command::RightsRequestDetail,
        Command::AdvanceRightsRequest,
        Command::RectifyField,
        Command::DecideObjection,
        Command::UnsubscribeParticipant,
        Command::RecordConsent,
        Command::ExportAccess,
        Command::EraseParticipant,
        Command::SaveCertificate,
        Command::LegalHolds,
        Command::RetentionRules,
        Command::SetRetentionRule,
        Command::RetentionPreview,
        Command::RetentionRun,
        Command::SaveQuarterlyReport,
        Command::Registers,
        Command::SaveProcessor,
        Command::SaveActivity,
        Command::PublishPolicyVersion,
        Command::AssistanceRequests,
        Command::RenewAssistance,
        Command::CloseAssistance,
        Command::SyncStatus,
        Command::SyncNow,
        Command::DismissRefusal,
        Command::AuditAlerts,
        Command::AcknowledgeAlert,
    ];

    /// The name the UI invokes.
    pub fn name(self) -> &'static str {
        match self {
            Command::AppInfo => "app_info",
            Command::SignIn => "sign_in",
            Command::SignOut => "sign_out",
            Command::CurrentSession => "current_session",
            Command::ListParticipants => "list_participants",
            Command::ParticipantProfile => "participant_profile",
            Command::ListGroups => "list_groups",
            Command::AuditTrail => "audit_trail",
            Command::VerifyAuditChain => "verify_audit_chain",
            Command::UpcomingSessions => "upcoming_sessions",
            Command::PreparationSheet => "preparation_sheet",
            Command::AddProgressNote => "add_progress_note",
            Command::EditProgressNote => "edit_progress_note",
            Command::AddObjective => "add_objective",
            Command::EditObjective => "edit_objective",
            Command::Registrations => "registrations",
            Command::ConfirmPlace => "confirm_place",
            Command::CancelEnrolment => "cancel_enrolment",
            Command::MoveEnrolment => "move_enrolment",
            Command::PlanningResources => "planning_resources",
            Command::GroupSessions => "group_sessions",
            Command::AddSession => "add_session",
            Command::UpdateGroup => "update_group",
            Command::BalancingPropose => "balancing_propose",
            Command::BalancingEvaluate => "balancing_evaluate",
            Command::BalancingApply => "balancing_apply",
            Command::ImportReport => "import_report",
            Command::UnmatchedRows => "unmatched_rows",
            Command::ResolveUnmatched => "resolve_unmatched",
            Command::MessagePreview => "message_preview",
            Command::QueueMessages => "queue_messages",
            Command::Outbox => "outbox",
            Command::ExportContactList => "export_contact_list",
            Command::SetAttendance => "set_attendance",
            Command::RightsRequests => "rights_requests",
            Command::RegisterRightsRequest => "register_rights_request",
            Command::RightsRequestDetail => "rights_request_detail",
            Command::AdvanceRightsRequest => "advance_rights_request",
            Command::RectifyField => "rectify_field",
            Command::DecideObjection => "decide_objection",
            Command::UnsubscribeParticipant => "unsubscribe_participant",
            Command::RecordConsent => "record_consent",
            Command::ExportAccess => "export_access",
            Command::EraseParticipant => "erase_participant",
            Command::SaveCertificate => "save_certificate",
            Command::LegalHolds => "legal_holds",
            Command::RetentionRules => "retention_rules",
            Command::SetRetentionRule => "set_retention_rule",
            Command::RetentionPreview => "retention_preview",
            Command::RetentionRun => "retention_run",
            Command::SaveQuarterlyReport => "save_quarterly_report",
            Command::Registers => "registers",
            Command::SaveProcessor => "save_processor",
            Command::SaveActivity => "save_activity",
            Command::PublishPolicyVersion => "publish_policy_version",
            Command::AssistanceRequests => "assistance_requests",
            Command::RenewAssistance => "renew_assistance",
            Command::CloseAssistance => "close_assistance",
            Command::SyncStatus => "sync_status",
            Command::SyncNow => "sync_now",
            Command::DismissRefusal => "dismiss_refusal",
            Command::AuditAlerts => "audit_alerts",
            Command::AcknowledgeAlert => "acknowledge_alert",
        }
    }

    /// Commands that touch no personal data and need no session.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Command::AppInfo | Command::SignIn | Command::SignOut | Command::CurrentSession
        )
    }
}

/// Checks the policy; a refusal is audited before it is returned.
fn guard(
    conn: &mut SqliteConnection,
    actor: &Actor,
    category: Category,
    need: Access,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match authorize(actor, category, need) {
        Ok(()) => Ok(()),
        Err(denied) => {
            audit::record_for(conn, actor, action, &[], Outcome::Denied, now)?;
            Err(denied.into())
        }
    }
}

/// Which participants the actor's scope reaches at `now`.
pub enum ScopeFilter {
    Everyone,
    Only(Vec<String>),
}

impl ScopeFilter {
    pub fn contains(&self, participant: &str) -> bool {
        match self {
            ScopeFilter::Everyone => true,
            ScopeFilter::Only(ids) => ids.iter().any(|id| id == participant),
        }
    }
}

/// Enrolment states that put a participant in a trainer's scope (decision:
/// confirmed places only; requested and waitlisted people are the office's).
const LIVE_FOR_TRAINERS: [&str; 1] = ["confirmed"];

/// The participant ids the actor may see (ROLE-1..5 scoping rules).
pub fn scope_filter(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ScopeFilter, StoreError> {
    let me = actor.staff_id.as_str();
    let ids: Vec<String> = match actor.scope() {
        Scope::Everyone => return Ok(ScopeFilter::Everyone),
        Scope::LedGroups => enrolments::table
            .inner_join(workshop_groups::table)
            .filter(workshop_groups::trainer_id.eq(me))
            .filter(enrolments::status.eq_any(LIVE_FOR_TRAINERS))
            .select(enrolments::participant_id)
            .distinct()
            .load(conn)?,
        Scope::OwnWorkshops => enrolments::table
            .inner_join(workshop_groups::table)
            .filter(workshop_groups::external_trainer_id.eq(me))
            .filter(enrolments::status.eq_any(LIVE_FOR_TRAINERS))
            .select(enrolments::participant_id)
            .distinct()
            .load(conn)?,
        Scope::OpenAssistance => {
            let now = now.naive_utc();
            assistance_requests::table
                .filter(assistance_requests::support_id.eq(me))
                .filter(assistance_requests::closed_at.is_null())
                .filter(assistance_requests::opened_at.le(now))
                .filter(assistance_requests::expires_at.gt(now))
                .select(assistance_requests::participant_id)
                .distinct()
                .load(conn)?
        }
    };
    Ok(ScopeFilter::Only(ids))
}

/// Whether `participant` is in the actor's scope at `now`: the same rules as
/// [`scope_filter`], asked about one person (one indexed query instead of
/// loading a trainer's whole scope for every write: DC-5 push throughput).
pub fn in_scope(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    use diesel::dsl::exists;
    let me = actor.staff_id.as_str();
    let found = match actor.scope() {
        Scope::Everyone => return Ok(true),
        Scope::LedGroups => diesel::select(exists(
            enrolments::table
                .inner_join(workshop_groups::table)
                .filter(enrolments::participant_id.eq(participant))
                .filter(workshop_groups::trainer_id.eq(me))
                .filter(enrolments::status.eq(LIVE_FOR_TRAINERS[0])),
        ))
        .get_result(conn)?,
        Scope::OwnWorkshops => diesel::select(exists(
            enrolments::table
                .inner_join(workshop_groups::table)
                .filter(enrolments::participant_id.eq(participant))
                .filter(workshop_groups::external_trainer_id.eq(me))
                .filter(enrolments::status.eq(LIVE_FOR_TRAINERS[0])),
        ))
        .get_result(conn)?,
        Scope::OpenAssistance => {
            let now = now.naive_utc();
            diesel::select(exists(
                assistance_requests::table
                    .filter(assistance_requests::participant_id.eq(participant))
                    .filter(assistance_requests::support_id.eq(me))
                    .filter(assistance_requests::closed_at.is_null())
                    .filter(assistance_requests::opened_at.le(now))
                    .filter(assistance_requests::expires_at.gt(now)),
            ))
            .get_result(conn)?
        }
    };
    Ok(found)
}

/// One row of a participant list, limited to what the role may see.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ParticipantRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    /// `None` when the role may not read identity beyond name and e-mail.
    pub phone: Option<String>,
    pub groups: Vec<String>,
}

/// At most this many rows per list or search answer.
pub const LIST_LIMIT: i64 = 200;

/// The half-open range of strings that start with `text`: `[text, text+U+10FFFF)`.
/// Compared under the columns' NOCASE collation this is a case-insensitive
/// prefix match that SQLite answers from the indexes (a bound `LIKE` pattern
/// defeats the LIKE optimisation and scans the table: 60 ms at 100k people).
fn prefix_range(text: &str) -> (String, String) {
    let low = text.to_owned();
    let mut high = low.clone();
    high.push(char::MAX);
    (low, high)
}

/// The participants in the actor's scope, optionally filtered by a prefix of
/// the given name, family name or e-mail. Audited: one entry per row shown.
pub fn list_participants(
    conn: &mut SqliteConnection,
    actor: &Actor,
    query: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<ParticipantRow>, StoreError> {
    const ACTION: &str = "participant.list";
    guard(
        conn,
        actor,
        Category::ContactList,
        Access::Read,
        ACTION,
        now,
    )?;
    let filter = scope_filter(conn, actor, now)?;
    let mut select = participants::table
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
            participants::phone,
        ))
        .order((participants::family_name, participants::given_name))
        .limit(LIST_LIMIT)
        .into_boxed();
    if let ScopeFilter::Only(ids) = &filter {
        select = select.filter(participants::id.eq_any(ids.clone()));
    }
    if let Some(text) = query.map(str::trim).filter(|t| !t.is_empty()) {
        let (low, high) = prefix_range(text);
        select = select.filter(
            (participants::family_name.ge(low.clone()))
                .and(participants::family_name.lt(high.clone()))
                .or(participants::given_name
                    .ge(low.clone())
                    .and(participants::given_name.lt(high.clone())))
                .or(participants::email
                    .ge(low)
                    .and(participants::email.lt(high))),
        );
    }
    let rows: Vec<(String, String, String, String, Option<String>)> = select.load(conn)?;
    let show_phone = access(actor.role, Category::Identity) >= Access::Read;
    let ids: Vec<&str> = rows.iter().map(|row| row.0.as_str()).collect();
    let groups = group_names(conn, actor, &ids)?;
    audit::record_for(conn, actor, ACTION, &ids, Outcome::Allowed, now)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, given_name, family_name, email, phone)| ParticipantRow {
                groups: groups.get(&id).cloned().unwrap_or_default(),
                id,
                given_name,
                family_name,
                email,
                phone: phone.filter(|_| show_phone),
            },
        )
        .collect())
}

/// Names of the live groups of these participants that the actor can see.
fn group_names(
    conn: &mut SqliteConnection,
    actor: &Actor,
    ids: &[&str],
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut query = enrolments::table
        .inner_join(workshop_groups::table)
        .filter(enrolments::participant_id.eq_any(ids))
        .filter(enrolments::status.ne("cancelled"))
        .select((enrolments::participant_id, workshop_groups::name))
        .order(workshop_groups::name)
        .into_boxed();
    let me = actor.staff_id.as_str().to_owned();
    match actor.scope() {
        Scope::LedGroups => query = query.filter(workshop_groups::trainer_id.eq(me)),
        Scope::OwnWorkshops => query = query.filter(workshop_groups::external_trainer_id.eq(me)),
        Scope::Everyone | Scope::OpenAssistance => {}
    }
    let pairs: Vec<(String, String)> = query.load(conn)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (participant, group) in pairs {
        map.entry(participant).or_default().push(group);
    }
    Ok(map)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FamilyDto {
    pub children_count: i32,
    pub age_brackets: Vec<String>,
    /// `None` for roles that see age brackets only (ROLE-3).
    pub challenges: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TextEntry {
    pub id: String,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NoteDto {
    pub id: String,
    pub body: String,
    pub written_at: String,
    pub author: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObjectiveDto {
    pub id: String,
    pub body: String,
    pub declared_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QuestionDto {
    pub id: String,
    pub body: String,
    pub asked_at: String,
    pub session: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AttendanceDto {
    pub session: String,
    pub joined_at: String,
    pub left_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EnrolmentDto {
    pub group: String,
    pub status: String,
    /// `None` for roles that may not see payment status.
    pub payment_status: Option<String>,
}

/// A participant's profile. A `None` section is one the role may not read.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub certified_16_plus_at: Option<String>,
    pub last_login_at: Option<String>,
    pub family: Option<FamilyDto>,
    pub objectives: Option<Vec<ObjectiveDto>>,
    pub progress_notes: Option<Vec<NoteDto>>,
    pub questions: Option<Vec<QuestionDto>>,
    pub attendance: Option<Vec<AttendanceDto>>,
    pub enrolments: Option<Vec<EnrolmentDto>>,
    /// POL-7, POL-26: current consents and objections (DPO only).
    pub preferences: Option<crate::rights::Preferences>,
}

fn can_read(actor: &Actor, category: Category) -> bool {
    access(actor.role, category) >= Access::Read
}

/// One participant's profile, with the sections the actor's role may read,
/// for a participant in the actor's scope (POL-9). Audited, refusals included.
pub fn participant_profile(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    now: DateTime<Utc>,
) -> Result<Profile, StoreError> {
    const ACTION: &str = "participant.profile.read";
    // Names and e-mails only is not a profile: external trainers are refused (ROLE-2).
    guard(conn, actor, Category::Identity, Access::Read, ACTION, now)?;
    type IdentityRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let identity: Option<IdentityRow> = participants::table
        .filter(participants::id.eq(participant))
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
            participants::phone,
            participants::certified_16_plus_at,
            participants::last_login_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, given_name, family_name, email, phone, certified, last_login)) = identity else {
        return Err(StoreError::NotFound(format!("participant {participant}")));
    };
    if !in_scope(conn, actor, &id, now)? {
        audit::record_for(conn, actor, ACTION, &[&id], Outcome::Denied, now)?;
        return Err(StoreError::OutOfScope(id));
    }
    let trainer_scope = actor.scope() == Scope::LedGroups;
    let me = actor.staff_id.as_str().to_owned();

    let family = if can_read(actor, Category::AgeBrackets) {
        family_situations::table
            .filter(family_situations::participant_id.eq(&id))
            .select((
                family_situations::children_count,
                family_situations::age_brackets,
                family_situations::challenges,
            ))
            .first::<(i32, String, Option<String>)>(conn)
            .optional()?
            .map(|(children_count, brackets, challenges)| FamilyDto {
                children_count,
                age_brackets: brackets
                    .split(',')
                    .filter(|b| !b.is_empty())
                    .map(str::to_owned)
                    .collect(),
                challenges: challenges.filter(|_| can_read(actor, Category::FamilySituation)),
            })
    } else {
        None
    };

    let objectives = if can_read(actor, Category::Objectives) {
        Some(
            objectives::table
                .filter(objectives::participant_id.eq(&id))
                .order(objectives::declared_at.desc())
                .select((objectives::id, objectives::body, objectives::declared_at))
                .load::<(String, String, NaiveDateTime)>(conn)?
                .into_iter()
                .map(|(id, body, at)| ObjectiveDto {
                    id,
                    body,
                    declared_at: to_rfc3339(at),
                })
                .collect(),
        )
    } else {
        None
    };

    let progress_notes = if can_read(actor, Category::ProgressNotes) {
        Some(
            progress_notes::table
                .inner_join(staff::table)
                .filter(progress_notes::participant_id.eq(&id))
                .order(progress_notes::written_at.desc())
                .select((
                    progress_notes::id,
                    progress_notes::body,
                    progress_notes::written_at,
                    staff::display_name,
                ))
                .load::<(String, String, NaiveDateTime, String)>(conn)?
                .into_iter()
                .map(|(id, body, at, author)| NoteDto {
                    id,
                    body,
                    written_at: to_rfc3339(at),
                    author,
                })
                .collect(),
        )
    } else {
        None
    };

    let questions = if can_read(actor, Category::Questions) {
        Some(
            questions::table
                .inner_join(sessions::table)
                .filter(questions::participant_id.eq(&id))
                .order(questions::asked_at.desc())
                .select((
                    questions::id,
                    questions::body,
                    questions::asked_at,
                    sessions::title,
                ))
                .load::<(String, String, NaiveDateTime, String)>(conn)?
                .into_iter()
                .map(|(id, body, at, session)| QuestionDto {
                    id,
                    body,
                    asked_at: to_rfc3339(at),
                    session,
                })
                .collect(),
        )
    } else {
        None
    };

    let attendance = if can_read(actor, Category::Attendance) {
        let mut query = attendance::table
            .inner_join(sessions::table.inner_join(workshop_groups::table))
            .filter(attendance::participant_id.eq(&id))
            .order(attendance::joined_at.desc())
            .select((sessions::title, attendance::joined_at, attendance::left_at))
            .into_boxed();
        if trainer_scope {
            query = query.filter(workshop_groups::trainer_id.eq(me.clone()));
        }
        Some(
            query
                .load::<(String, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
                .into_iter()
                .map(|(session, joined, left)| AttendanceDto {
                    session,
                    joined_at: to_rfc3339(joined),
                    left_at: left.map(to_rfc3339),
                })
                .collect(),
        )
    } else {
        None
    };

    let enrolments = if can_read(actor, Category::Enrolments) {
        let show_payment = can_read(actor, Category::PaymentStatus);
        let mut query = enrolments::table
            .inner_join(workshop_groups::table)
            .filter(enrolments::participant_id.eq(&id))
            .order(enrolments::requested_at.desc())
            .select((enrolments::id, workshop_groups::name, enrolments::status))
            .into_boxed();
        if trainer_scope {
            query = query.filter(workshop_groups::trainer_id.eq(me.clone()));
        }
        let rows: Vec<(String, String, String)> = query.load(conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for (enrolment, group, status) in rows {
            let payment_status = if show_payment {
                let statuses: Vec<String> = payments::table
                    .filter(payments::enrolment_id.eq(&enrolment))
                    .select(payments::status)
                    .load(conn)?;
                Some(summarise_payments(&statuses).to_owned())
            } else {
                None
            };
            out.push(EnrolmentDto {
                group,
                status,
                payment_status,
            });
        }
        Some(out)
    } else {
        None
    };

    let preferences = if can_read(actor, Category::Consents) {
        Some(crate::rights::preferences(conn, &id)?)
    } else {
        None
    };

    let show_identity = can_read(actor, Category::Identity);
    audit::record_for(conn, actor, ACTION, &[&id], Outcome::Allowed, now)?;
    Ok(Profile {
        id,
        given_name,
        family_name,
        email,
        phone: phone.filter(|_| show_identity),
        certified_16_plus_at: Some(to_rfc3339(certified)).filter(|_| show_identity),
        last_login_at: last_login.map(to_rfc3339).filter(|_| show_identity),
        family,
        objectives,
        progress_notes,
        questions,
        attendance,
        enrolments,
        preferences,
    })
}

/// One word for the payments of an enrolment: confirmed wins, then pending, then refunded.
fn summarise_payments(statuses: &[String]) -> &'static str {
    if statuses.iter().any(|s| s == "confirmed") {
        "confirmed"
    } else if statuses.iter().any(|s| s == "pending") {
        "pending"
    } else if statuses.iter().any(|s| s == "refunded") {
        "refunded"
    } else {
        "none"
    }
}

/// A group with its headcount against capacity.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub programme_id: String,
    pub programme: String,
    pub slot: String,
    pub trainer: String,
    pub capacity: i32,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub requested: i64,
    pub schedule: String,
    pub room: Option<String>,
}

/// The groups the actor may see (all for the office and the DPO, their own for trainers).
pub fn list_groups(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<GroupRow>, StoreError> {
    guard(
        conn,
        actor,
        Category::Planning,
        Access::Read,
        "groups.list",
        now,
    )?;
    let me = actor.staff_id.as_str().to_owned();
    let mut query = workshop_groups::table
        .inner_join(programmes::table)
        .inner_join(staff::table.on(staff::id.eq(workshop_groups::trainer_id)))
        .left_join(rooms::table)
        .select((
            workshop_groups::id,
            workshop_groups::name,
            (programmes::id, programmes::name, workshop_groups::slot),
            staff::display_name,
            workshop_groups::capacity,
            workshop_groups::schedule,
            rooms::name.nullable(),
        ))
        .order(workshop_groups::name)
        .into_boxed();
    match actor.scope() {
        Scope::LedGroups => query = query.filter(workshop_groups::trainer_id.eq(me)),
        Scope::OwnWorkshops => query = query.filter(workshop_groups::external_trainer_id.eq(me)),
        Scope::Everyone => {}
        Scope::OpenAssistance => return Ok(Vec::new()),
    }
    type Row = (
        String,
        String,
        (String, String, String),
        String,
        i32,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = query.load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|row| row.0.as_str()).collect();
    let counts: Vec<(Option<String>, String, i64)> = enrolments::table
        .filter(enrolments::group_id.eq_any(&ids))
        .group_by((enrolments::group_id, enrolments::status))
        .select((
            enrolments::group_id,
            enrolments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let count = |group: &str, status: &str| {
        counts
            .iter()
            .find(|(g, s, _)| g.as_deref() == Some(group) && s == status)
            .map(|(_, _, n)| *n)
            .unwrap_or(0)
    };
    Ok(rows
        .iter()
        .map(
            |(id, name, (programme_id, programme, slot), trainer, capacity, schedule, room)| {
                GroupRow {
                    programme_id: programme_id.clone(),
                    slot: slot.clone(),
                    confirmed: count(id, "confirmed"),
                    waitlisted: count(id, "waitlisted"),
                    requested: count(id, "requested"),
                    id: id.clone(),
                    name: name.clone(),
                    programme: programme.clone(),
                    trainer: trainer.clone(),
                    capacity: *capacity,
                    schedule: schedule.clone(),
                    room: room.clone(),
                }
            },
        )
        .collect())
}

/// An audit entry as the DPO sees it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub device: String,
    pub action: String,
    pub participant_id: Option<String>,
    pub outcome: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditPage {
    pub total: i64,
    pub entries: Vec<AuditEntryDto>,
}

/// A page of the audit trail (DPO only). Actors are shown by user name (staff,
/// not participants); participants by their pseudonymous id.
pub fn audit_trail(
    conn: &mut SqliteConnection,
    actor: &Actor,
    limit: i64,
    offset: i64,
    now: DateTime<Utc>,
) -> Result<AuditPage, StoreError> {
    let (total, rows) = audit::page(conn, actor, limit, offset, now)?;
    let names: HashMap<String, String> = staff::table
        .select((staff::id, staff::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(AuditPage {
        total,
        entries: rows
            .into_iter()
            .map(|row| AuditEntryDto {
                seq: row.seq,
                at: row.at,
                actor: names.get(&row.actor_id).cloned().unwrap_or(row.actor_id),
                device: row.device_id,
                action: row.action,
                participant_id: row.participant_id,
                outcome: row.outcome,
            })
            .collect(),
    })
}
