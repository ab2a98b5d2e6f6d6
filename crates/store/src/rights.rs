//! The rights-request register and the DPO's per-person operations
//! (POL-7, POL-23..28, POL-38): register a request with its channel and date of
//! receipt, check the requester's identity, follow its status against the
//! deadlines, rectify fields (POL-24, without keeping the old value), decide
//! objections (POL-26), unsubscribe at once, record consents (POL-7).
//!
//! Every function authorizes first (`RightsRequests` or `Consents`, DPO only),
//! works in one transaction, logs what was done on the request
//! (`rights_request_actions`) and appends the audit trail (POL-21).

use crate::audit::{self, Outcome};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{authorize, Access, Category};
use domain::deadlines::{deadlines, urgency, Deadlines, Urgency};
use domain::{new_id, Actor};
use serde::{Deserialize, Serialize};

/// Request types (POL-23..27; the unsubscribe of POL-26).
pub const KINDS: [&str; 6] = [
    "access",
    "rectification",
    "erasure",
    "objection",
    "portability",
    "unsubscribe",
];
/// How a request arrived (POL-38).
pub const CHANNELS: [&str; 3] = ["post", "email", "phone"];
/// Processing a person may object to (POL-26): those based on legitimate interest.
pub const OBJECTION_PURPOSES: [&str; 2] = ["module_suggestions", "statistics"];
/// Consent purposes (POL-7).
pub const CONSENT_PURPOSES: [&str; 3] = ["newsletter", "testimonials", "studies"];
/// Where a consent decision came from.
pub const CONSENT_SOURCES: [&str; 4] = ["platform", "email", "post", "phone"];

const CLOSED: [&str; 2] = ["answered", "refused"];

/// A new request as the DPO types it.
#[derive(Clone, Debug, Deserialize)]
pub struct NewRequest {
    pub participant_id: String,
    pub kind: String,
    pub channel: String,
    /// The date of receipt (Europe/Paris), from which deadlines count.
    pub received_on: NaiveDate,
    /// For an objection: the processing objected to.
    pub objection_purpose: Option<String>,
}

/// One row of the register, with its deadlines.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestRow {
    pub id: String,
    /// A short reference to quote to the person, e.g. `DR-2026-3f9a1c`.
    pub reference: String,
    pub participant_id: Option<String>,
    /// The person's name while they exist (the register keeps no identity after erasure).
    pub person: Option<String>,
    pub kind: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub status: String,
    pub identity_check_method: Option<String>,
    pub identity_checked_at: Option<String>,
    pub grounds: Option<String>,
    pub objection_purpose: Option<String>,
    pub decision: Option<String>,
    pub answered_at: Option<String>,
    pub deadlines: Deadlines,
    /// The date that applies now: the policy target, or the extended date.
    pub due: NaiveDate,
    /// `None` once the request is closed.
    pub urgency: Option<Urgency>,
    pub open: bool,
}

/// One action taken on a request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ActionRow {
    pub at: String,
    pub staff: String,
    pub action: String,
    pub field: Option<String>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestDetail {
    pub request: RequestRow,
    pub actions: Vec<ActionRow>,
}

type RequestTuple = (
    String,
    Option<String>,
    String,
    String,
    NaiveDateTime,
    Option<String>,
    Option<NaiveDateTime>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

fn reference_of(id: &str, received: NaiveDate) -> String {
    let tail: String = id.chars().filter(|c| *c != '-').rev().take(6).collect();
    let tail: String = tail.chars().rev().collect();
    format!("DR-{}-{}", received.format("%Y"), tail)
}

fn row_from(tuple: RequestTuple, person: Option<String>, today: NaiveDate) -> RequestRow {
    let (
        id,
        participant_id,
        kind,
        channel,
        received_at,
        method,
        checked_at,
        status,
        grounds,
        purpose,
        decision,
        answered_at,
    ) = tuple;
    let received_on = received_at.date();
    let dates = deadlines(received_on);
    let extended = status == "extended";
    let open = !CLOSED.contains(&status.as_str());
    RequestRow {
        reference: reference_of(&id, received_on),
        id,
        participant_id,
        person,
        kind,
        channel,
        received_on,
        status,
        identity_check_method: method,
        identity_checked_at: checked_at.map(domain::time::to_rfc3339),
        grounds,
        objection_purpose: purpose,
        decision,
        answered_at: answered_at.map(domain::time::to_rfc3339),
        due: if extended {
            dates.policy_extended
        } else {
            dates.policy_target
        },
        urgency: open.then(|| urgency(&dates, extended, today)),
        deadlines: dates,
        open,
    }
}

fn guard(
    conn: &mut SqliteConnection,
    actor: &Actor,
    category: Category,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Err(denied) = authorize(actor, category, Access::Write) {
        audit::record_for(conn, actor, action, &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    Ok(())
}

fn refused(code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Refused {
        code,
        message: message.into(),
    }
}

fn log_action(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    action: &str,
    field: Option<&str>,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = now.naive_utc();
    diesel::insert_into(rights_request_actions::table)
        .values((
            rights_request_actions::id.eq(new_id()),
            rights_request_actions::request_id.eq(request_id),
            rights_request_actions::at.eq(at),
            rights_request_actions::staff_id.eq(actor.staff_id.as_str()),
            rights_request_actions::action.eq(action),
            rights_request_actions::field.eq(field),
            rights_request_actions::detail.eq(detail),
            rights_request_actions::updated_at.eq(at),
            rights_request_actions::updated_device.eq(actor.device_id.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

fn select_request() -> (
    rights_requests::id,
    rights_requests::participant_id,
    rights_requests::kind,
    rights_requests::channel,
    rights_requests::received_at,
    rights_requests::identity_check_method,
    rights_requests::identity_checked_at,
    rights_requests::status,
    rights_requests::grounds,
    rights_requests::objection_purpose,
    rights_requests::decision,
    rights_requests::answered_at,
) {
    (
        rights_requests::id,
        rights_requests::participant_id,
        rights_requests::kind,
        rights_requests::channel,
        rights_requests::received_at,
        rights_requests::identity_check_method,
        rights_requests::identity_checked_at,
        rights_requests::status,
        rights_requests::grounds,
        rights_requests::objection_purpose,
        rights_requests::decision,
        rights_requests::answered_at,
    )
}

fn person_name(conn: &mut SqliteConnection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(participants::table
        .find(id)
        .select((participants::given_name, participants::family_name))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(given, family)| format!("{given} {family}")))
}

/// Today in Paris: deadlines count in the office's calendar.
pub fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

fn load_request(
    conn: &mut SqliteConnection,
    id: &str,
    today: NaiveDate,
) -> Result<RequestRow, StoreError> {
    let tuple: RequestTuple = rights_requests::table
        .find(id)
        .select(select_request())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("rights request {id}")))?;
    let person = match &tuple.1 {
        Some(p) => person_name(conn, p)?,
        None => None,
    };
    Ok(row_from(tuple, person, today))
}

/// Registers a request (POL-38: channel, date of receipt; the identity check comes next).
pub fn register_request(
    conn: &mut SqliteConnection,
    actor: &Actor,
    new: &NewRequest,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    const ACTION: &str = "rights.request.register";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    if !KINDS.contains(&new.kind.as_str()) {
        return Err(StoreError::InvalidInput(format!(
            "unknown request type {}",
            new.kind
        )));
    }
    if !CHANNELS.contains(&new.channel.as_str()) {
        return Err(StoreError::InvalidInput(format!(
            "unknown channel {}",
            new.channel
        )));
    }
    let today = paris_today(now);
    if new.received_on > today {
        return Err(refused(
            "received_in_future",
            "the date of receipt is after today",
        ));
    }
    let purpose = match (new.kind.as_str(), new.objection_purpose.as_deref()) {
        ("objection", Some(p)) if OBJECTION_PURPOSES.contains(&p) => Some(p.to_owned()),
        ("objection", _) => {
            return Err(refused(
                "objection_purpose_required",
                "an objection names the processing it is about",
            ))
        }
        _ => None,
    };
    let id = conn.transaction(|conn| -> Result<String, StoreError> {
        let exists = participants::table
            .find(&new.participant_id)
            .select(participants::id)
            .first::<String>(conn)
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!(
                "participant {}",
                new.participant_id
            )));
        }
        let id = new_id();
        let at = now.naive_utc();
        diesel::insert_into(rights_requests::table)
            .values((
                rights_requests::id.eq(&id),
                rights_requests::participant_id.eq(&new.participant_id),
                rights_requests::kind.eq(&new.kind),
                rights_requests::channel.eq(&new.channel),
                rights_requests::received_at.eq(new.received_on.and_hms_opt(0, 0, 0).unwrap()),
                rights_requests::status.eq("received"),
                rights_requests::objection_purpose.eq(purpose),
                rights_requests::updated_at.eq(at),
                rights_requests::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        log_action(conn, actor, &id, "registered", None, None, now)?;
        audit::record_for(
            conn,
            actor,
            ACTION,
            &[&new.participant_id],
            Outcome::Allowed,
            now,
        )?;
        Ok(id)
    })?;
    load_request(conn, &id, today)
}

/// The register: open requests first, soonest due first; then closed ones,
/// newest first. Audited per person shown.
pub fn list_requests(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<RequestRow>, StoreError> {
    const ACTION: &str = "rights.request.list";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    let today = paris_today(now);
    let tuples: Vec<RequestTuple> = rights_requests::table
        .select(select_request())
        .order(rights_requests::received_at.desc())
        .limit(500)
        .load(conn)?;
    let mut rows = Vec::with_capacity(tuples.len());
    for tuple in tuples {
        let person = match &tuple.1 {
            Some(p) => person_name(conn, p)?,
            None => None,
        };
        rows.push(row_from(tuple, person, today));
    }
    rows.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then_with(|| {
                if a.open {
                    a.due.cmp(&b.due)
                } else {
                    b.received_on.cmp(&a.received_on)
                }
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    let shown: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.participant_id.as_deref())
        .collect();
    audit::record_for(conn, actor, ACTION, &shown, Outcome::Allowed, now)?;
    Ok(rows)
}

/// One request with every action taken on it.
pub fn request_detail(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestDetail, StoreError> {
    const ACTION: &str = "rights.request.read";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    let request = load_request(conn, id, paris_today(now))?;
    let actions = rights_request_actions::table
        .inner_join(staff::table)
        .filter(rights_request_actions::request_id.eq(id))
        .order((rights_request_actions::at, rights_request_actions::id))
        .select((
            rights_request_actions::at,
            staff::display_name,
            rights_request_actions::action,
            rights_request_actions::field,
            rights_request_actions::detail,
        ))
        .load::<(
            NaiveDateTime,
            String,
            String,
            Option<String>,
            Option<String>,
        )>(conn)?
        .into_iter()
        .map(|(at, staff, action, field, detail)| ActionRow {
            at: domain::time::to_rfc3339(at),
            staff,
            action,
            field,
            detail,
        })
        .collect();
    let shown: Vec<&str> = request.participant_id.as_deref().into_iter().collect();
    audit::record_for(conn, actor, ACTION, &shown, Outcome::Allowed, now)?;
    Ok(RequestDetail { request, actions })
}

/// What the DPO does to a request's status.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// POL-38: how the requester's identity was checked.
    CheckIdentity {
        method: String,
    },
    Start,
    /// POL-23: the exceptional extension, with grounds, told within the first month.
    Extend {
        grounds: String,
    },
    Answer {
        note: Option<String>,
    },
    Refuse {
        grounds: String,
    },
}

/// Moves a request along: received → identity checked → in progress →
/// answered, or refused / extended with grounds. Refused moves name the rule.
pub fn advance(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    const ACTION: &str = "rights.request.update";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    let today = paris_today(now);
    let at = now.naive_utc();
    conn.transaction(|conn| -> Result<(), StoreError> {
        let request = load_request(conn, id, today)?;
        if !request.open {
            return Err(refused(
                "request_closed",
                format!("rights request {id} is already closed"),
            ));
        }
        let status = request.status.as_str();
        let me = actor.staff_id.as_str();
        let update = diesel::update(rights_requests::table.find(id));
        match step {
            Step::CheckIdentity { method } => {
                let method = method.trim();
                if method.is_empty() {
                    return Err(refused(
                        "identity_method_required",
                        "say how the identity was checked",
                    ));
                }
                if status != "received" {
                    return Err(refused(
                        "identity_already_checked",
                        format!("rights request {id}: identity already checked"),
                    ));
                }
                update
                    .set((
                        rights_requests::status.eq("identity_checked"),
                        rights_requests::identity_check_method.eq(method),
                        rights_requests::identity_checked_by.eq(me),
                        rights_requests::identity_checked_at.eq(at),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                log_action(conn, actor, id, "identity_checked", None, Some(method), now)?;
            }
            Step::Start => {
                require_identity(&request)?;
                if status != "identity_checked" {
                    return Err(refused(
                        "already_started",
                        format!("rights request {id} is already in progress"),
                    ));
                }
                update
                    .set((
                        rights_requests::status.eq("in_progress"),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                log_action(conn, actor, id, "started", None, None, now)?;
            }
            Step::Extend { grounds } => {
                let grounds = non_empty(grounds, "extension_grounds_required")?;
                if status == "extended" {
                    return Err(refused(
                        "already_extended",
                        format!("rights request {id} is already extended"),
                    ));
                }
                // GDPR art. 12(3): the person is told within the first month.
                if today > request.deadlines.legal {
                    return Err(refused(
                        "extension_too_late",
                        "an extension must be told to the person within one month of receipt",
                    ));
                }
                update
                    .set((
                        rights_requests::status.eq("extended"),
                        rights_requests::grounds.eq(grounds),
                        rights_requests::extended_at.eq(at),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                log_action(conn, actor, id, "extended", None, Some(grounds), now)?;
            }
            Step::Answer { note } => {
                require_identity(&request)?;
                if request.kind == "objection" && request.decision.is_none() {
                    return Err(refused(
                        "objection_undecided",
                        "decide the objection before answering",
                    ));
                }
                let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
                update
                    .set((
                        rights_requests::status.eq("answered"),
                        rights_requests::answered_at.eq(at),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                log_action(conn, actor, id, "answered", None, note, now)?;
            }
            Step::Refuse { grounds } => {
                let grounds = non_empty(grounds, "refusal_grounds_required")?;
                update
                    .set((
                        rights_requests::status.eq("refused"),
                        rights_requests::grounds.eq(grounds),
                        rights_requests::answered_at.eq(at),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                log_action(conn, actor, id, "refused", None, Some(grounds), now)?;
            }
        }
        let shown: Vec<&str> = request.participant_id.as_deref().into_iter().collect();
        audit::record_for(conn, actor, ACTION, &shown, Outcome::Allowed, now)?;
        Ok(())
    })?;
    load_request(conn, id, today)
}

fn non_empty<'a>(text: &'a str, code: &'static str) -> Result<&'a str, StoreError> {
    let text = text.trim();
    if text.is_empty() {
        Err(refused(code, "grounds are required"))
    } else {
        Ok(text)
    }
}

fn require_identity(request: &RequestRow) -> Result<(), StoreError> {
    if request.identity_checked_at.is_none() {
        return Err(refused(
            "identity_not_checked",
            format!(
                "rights request {}: check the requester's identity first",
                request.id
            ),
        ));
    }
    Ok(())
}

/// An open request of `kind` whose identity was checked: the gate before any
/// data leaves or changes on a request (POL-38).
pub fn actionable_request(
    conn: &mut SqliteConnection,
    id: &str,
    kinds: &[&str],
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    let request = load_request(conn, id, paris_today(now))?;
    if !request.open {
        return Err(refused(
            "request_closed",
            format!("rights request {id} is already closed"),
        ));
    }
    if !kinds.contains(&request.kind.as_str()) {
        return Err(refused(
            "wrong_request_type",
            format!("rights request {id} is a {} request", request.kind),
        ));
    }
    require_identity(&request)?;
    if request.participant_id.is_none() {
        return Err(refused(
            "request_detached",
            format!("rights request {id} no longer names a person"),
        ));
    }
    Ok(request)
}

/// Logs an action on a request and marks it in progress (export, erasure).
pub fn note_action(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    action: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    log_action(conn, actor, request_id, action, None, detail, now)?;
    diesel::update(
        rights_requests::table
            .find(request_id)
            .filter(rights_requests::status.eq("identity_checked")),
    )
    .set((
        rights_requests::status.eq("in_progress"),
        rights_requests::updated_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Fields the DPO may correct (POL-24: contact details, communication
/// preferences, family details).
pub const RECTIFIABLE: [&str; 8] = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "marketing_opt_out",
    "children_count",
    "age_brackets",
    "challenges",
];

const AGE_BRACKETS: [&str; 5] = ["0-3", "4-6", "7-11", "12-15", "16-18"];

/// Corrects one field under a rectification request (POL-24). The request's
/// log names the field, the time and the DPO; the old value is not kept
/// anywhere (secure_delete overwrites the old cell).
pub fn rectify(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    field: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    const ACTION: &str = "participant.rectify";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    if !RECTIFIABLE.contains(&field) {
        return Err(StoreError::InvalidInput(format!(
            "field {field} cannot be rectified here"
        )));
    }
    let value = value.trim();
    let at = now.naive_utc();
    conn.transaction(|conn| -> Result<(), StoreError> {
        let request = actionable_request(conn, request_id, &["rectification"], now)?;
        let person = request.participant_id.clone().unwrap_or_default();
        let p = participants::table.find(&person);
        let f = family_situations::table.find(&person);
        let changed = match field {
            "given_name" | "family_name" => {
                if value.is_empty() || value.chars().count() > 100 {
                    return Err(StoreError::InvalidInput(format!(
                        "{field}: 1 to 100 characters"
                    )));
                }
                if field == "given_name" {
                    diesel::update(p)
                        .set((
                            participants::given_name.eq(value),
                            participants::updated_at.eq(at),
                        ))
                        .execute(conn)?
                } else {
                    diesel::update(p)
                        .set((
                            participants::family_name.eq(value),
                            participants::updated_at.eq(at),
                        ))
                        .execute(conn)?
                }
            }
            "email" => {
                let ok = value.len() <= 254
                    && value.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty() && domain.contains('.') && !value.contains(' ')
                    });
                if !ok {
                    return Err(StoreError::InvalidInput(
                        "email: not an e-mail address".into(),
                    ));
                }
                let taken = participants::table
                    .filter(participants::email.eq(value))
                    .filter(participants::id.ne(&person))
                    .count()
                    .get_result::<i64>(conn)?;
                if taken > 0 {
                    return Err(refused(
                        "email_taken",
                        "another participant has this e-mail address",
                    ));
                }
                diesel::update(p)
                    .set((
                        participants::email.eq(value),
                        participants::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
            "phone" => {
                let ok = value
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
                    && value.chars().filter(char::is_ascii_digit).count() <= 15;
                if !ok {
                    return Err(StoreError::InvalidInput(
                        "phone: digits, spaces and + only".into(),
                    ));
                }
                let phone = (!value.is_empty()).then_some(value);
                diesel::update(p)
                    .set((
                        participants::phone.eq(phone),
                        participants::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
            "marketing_opt_out" => {
                let flag = parse_bool(value)?;
                diesel::update(p)
                    .set((
                        participants::marketing_opt_out.eq(flag),
                        participants::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
            "children_count" => {
                let count: i32 = value
                    .parse()
                    .ok()
                    .filter(|n| (0..=20).contains(n))
                    .ok_or_else(|| {
                        StoreError::InvalidInput("children_count: a number from 0 to 20".into())
                    })?;
                diesel::update(f)
                    .set((
                        family_situations::children_count.eq(count),
                        family_situations::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
            "age_brackets" => {
                let brackets: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .collect();
                if brackets.iter().any(|b| !AGE_BRACKETS.contains(b)) {
                    return Err(StoreError::InvalidInput(format!(
                        "age_brackets: among {}",
                        AGE_BRACKETS.join(", ")
                    )));
                }
                diesel::update(f)
                    .set((
                        family_situations::age_brackets.eq(brackets.join(",")),
                        family_situations::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
            _ => {
                let text = (!value.is_empty()).then_some(value);
                diesel::update(f)
                    .set((
                        family_situations::challenges.eq(text),
                        family_situations::updated_at.eq(at),
                    ))
                    .execute(conn)?
            }
        };
        if changed == 0 {
            return Err(refused(
                "nothing_to_rectify",
                format!("participant {person} has no family situation recorded"),
            ));
        }
        // POL-24: which field, when, by whom, under which request; no value.
        log_action(conn, actor, request_id, "rectified", Some(field), None, now)?;
        note_action(
            conn,
            actor,
            request_id,
            "rectification_in_progress",
            None,
            now,
        )?;
        audit::record_for(conn, actor, ACTION, &[&person], Outcome::Allowed, now)?;
        Ok(())
    })
}

fn parse_bool(value: &str) -> Result<bool, StoreError> {
    match value {
        "true" | "1" | "oui" | "yes" => Ok(true),
        "false" | "0" | "non" | "no" => Ok(false),
        _ => Err(StoreError::InvalidInput("expected true or false".into())),
    }
}

/// Decides an objection (POL-26): accepted, the processing stops at once for
/// the person; rejected, the compelling legitimate grounds are recorded.
pub fn decide_objection(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    accepted: bool,
    grounds: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    const ACTION: &str = "participant.objection";
    guard(conn, actor, Category::RightsRequests, ACTION, now)?;
    let at = now.naive_utc();
    conn.transaction(|conn| -> Result<(), StoreError> {
        let request = actionable_request(conn, request_id, &["objection"], now)?;
        if request.decision.is_some() {
            return Err(refused(
                "objection_decided",
                format!("rights request {request_id}: the objection is already decided"),
            ));
        }
        let person = request.participant_id.clone().unwrap_or_default();
        let grounds = grounds.map(str::trim).filter(|g| !g.is_empty());
        if !accepted && grounds.is_none() {
            return Err(refused(
                "objection_grounds_required",
                "rejecting an objection needs compelling legitimate grounds, recorded",
            ));
        }
        let purpose = request.objection_purpose.clone().unwrap_or_default();
        if accepted {
            stop_processing(conn, &person, &purpose, at)?;
        }
        diesel::update(rights_requests::table.find(request_id))
            .set((
                rights_requests::decision.eq(if accepted { "accepted" } else { "rejected" }),
                rights_requests::grounds.eq(grounds),
                rights_requests::status.eq("in_progress"),
                rights_requests::updated_at.eq(at),
            ))
            .execute(conn)?;
        log_action(
            conn,
            actor,
            request_id,
            if accepted {
                "objection_accepted"
            } else {
                "objection_rejected"
            },
            Some(&purpose),
            grounds,
            now,
        )?;
        audit::record_for(conn, actor, ACTION, &[&person], Outcome::Allowed, now)?;
        Ok(())
    })?;
    load_request(conn, request_id, paris_today(now))
}

/// Stops one processing for one person (POL-26).
fn stop_processing(
    conn: &mut SqliteConnection,
    person: &str,
    purpose: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let p = participants::table.find(person);
    match purpose {
        "module_suggestions" => {
            diesel::update(p)
                .set((
                    participants::objects_to_suggestions.eq(true),
                    participants::updated_at.eq(at),
                ))
                .execute(conn)?;
            cancel_queued(conn, person, &["module_suggestion"], at)?;
        }
        "statistics" => {
            diesel::update(p)
                .set((
                    participants::objects_to_statistics.eq(true),
                    participants::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        other => {
            return Err(StoreError::InvalidInput(format!(
                "unknown processing {other}"
            )))
        }
    }
    Ok(())
}

fn cancel_queued(
    conn: &mut SqliteConnection,
    person: &str,
    templates: &[&str],
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::participant_id.eq(person))
            .filter(outbox_messages::status.eq("queued"))
            .filter(outbox_messages::template.eq_any(templates)),
    )
    .set((
        outbox_messages::status.eq("cancelled"),
        outbox_messages::updated_at.eq(at),
    ))
    .execute(conn)?)
}

/// Marketing unsubscribe (POL-26): immediate, no procedure. Opts out of
/// marketing, withdraws the newsletter consent, cancels queued suggestions.
/// With a request, the request is answered at once.
pub fn unsubscribe(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    source: &str,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    const ACTION: &str = "participant.unsubscribe";
    guard(conn, actor, Category::Consents, ACTION, now)?;
    if !CONSENT_SOURCES.contains(&source) {
        return Err(StoreError::InvalidInput(format!("unknown source {source}")));
    }
    let at = now.naive_utc();
    conn.transaction(|conn| -> Result<(), StoreError> {
        let changed = diesel::update(participants::table.find(participant))
            .set((
                participants::marketing_opt_out.eq(true),
                participants::updated_at.eq(at),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if current_consent(conn, participant, "newsletter")? == Some(true) {
            insert_consent(conn, actor, participant, "newsletter", false, source, at)?;
        }
        cancel_queued(conn, participant, &["module_suggestion"], at)?;
        if let Some(request_id) = request_id {
            let request = load_request(conn, request_id, paris_today(now))?;
            if request.kind != "unsubscribe"
                || request.participant_id.as_deref() != Some(participant)
            {
                return Err(refused(
                    "wrong_request_type",
                    format!("rights request {request_id} is not this person's unsubscribe request"),
                ));
            }
            log_action(conn, actor, request_id, "unsubscribed", None, None, now)?;
            if request.open {
                diesel::update(rights_requests::table.find(request_id))
                    .set((
                        rights_requests::status.eq("answered"),
                        rights_requests::answered_at.eq(at),
                        rights_requests::updated_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
        audit::record_for(conn, actor, ACTION, &[participant], Outcome::Allowed, now)?;
        Ok(())
    })
}

fn current_consent(
    conn: &mut SqliteConnection,
    participant: &str,
    purpose: &str,
) -> Result<Option<bool>, StoreError> {
    Ok(consents::table
        .filter(consents::participant_id.eq(participant))
        .filter(consents::purpose.eq(purpose))
        .order((consents::recorded_at.desc(), consents::id.desc()))
        .select(consents::granted)
        .first::<bool>(conn)
        .optional()?)
}

fn insert_consent(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    purpose: &str,
    granted: bool,
    source: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(consents::table)
        .values((
            consents::id.eq(new_id()),
            consents::participant_id.eq(participant),
            consents::purpose.eq(purpose),
            consents::granted.eq(granted),
            consents::recorded_at.eq(at),
            consents::source.eq(source),
            consents::updated_at.eq(at),
            consents::updated_device.eq(actor.device_id.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a consent given or withdrawn (POL-7): a new row, the history kept.
pub fn record_consent(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    purpose: &str,
    granted: bool,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Preferences, StoreError> {
    const ACTION: &str = "participant.consent";
    guard(conn, actor, Category::Consents, ACTION, now)?;
    if !CONSENT_PURPOSES.contains(&purpose) {
        return Err(StoreError::InvalidInput(format!(
            "unknown purpose {purpose}"
        )));
    }
    if !CONSENT_SOURCES.contains(&source) {
        return Err(StoreError::InvalidInput(format!("unknown source {source}")));
    }
    let at = now.naive_utc();
    conn.transaction(|conn| -> Result<(), StoreError> {
        let exists = participants::table
            .find(participant)
            .count()
            .get_result::<i64>(conn)?;
        if exists == 0 {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if current_consent(conn, participant, purpose)? == Some(granted) {
            return Err(refused(
                "consent_unchanged",
                format!("consent for {purpose} is already in that state"),
            ));
        }
        insert_consent(conn, actor, participant, purpose, granted, source, at)?;
        // Giving the newsletter consent is an opt-in again.
        if purpose == "newsletter" && granted {
            diesel::update(participants::table.find(participant))
                .set((
                    participants::marketing_opt_out.eq(false),
                    participants::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        audit::record_for(conn, actor, ACTION, &[participant], Outcome::Allowed, now)?;
        Ok(())
    })?;
    preferences(conn, participant)
}

/// One consent decision.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConsentEvent {
    pub purpose: String,
    pub granted: bool,
    pub recorded_at: String,
    pub source: String,
}

/// A person's consents and objections as they stand, with the history.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Preferences {
    /// Purpose → current state (`None`: never asked).
    pub current: Vec<(String, Option<bool>)>,
    pub history: Vec<ConsentEvent>,
    pub marketing_opt_out: bool,
    pub objects_to_suggestions: bool,
    pub objects_to_statistics: bool,
}

/// Reads a person's preferences; callers authorize (profile, record_consent).
pub fn preferences(
    conn: &mut SqliteConnection,
    participant: &str,
) -> Result<Preferences, StoreError> {
    let history: Vec<ConsentEvent> = consents::table
        .filter(consents::participant_id.eq(participant))
        .order((consents::recorded_at.desc(), consents::id.desc()))
        .select((
            consents::purpose,
            consents::granted,
            consents::recorded_at,
            consents::source,
        ))
        .load::<(String, bool, NaiveDateTime, String)>(conn)?
        .into_iter()
        .map(|(purpose, granted, at, source)| ConsentEvent {
            purpose,
            granted,
            recorded_at: domain::time::to_rfc3339(at),
            source,
        })
        .collect();
    let current = CONSENT_PURPOSES
        .iter()
        .map(|purpose| {
            let state = history
                .iter()
                .find(|e| e.purpose == *purpose)
                .map(|e| e.granted);
            ((*purpose).to_owned(), state)
        })
        .collect();
    let (marketing_opt_out, objects_to_suggestions, objects_to_statistics) = participants::table
        .find(participant)
        .select((
            participants::marketing_opt_out,
            participants::objects_to_suggestions,
            participants::objects_to_statistics,
        ))
        .first::<(bool, bool, bool)>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("participant {participant}")))?;
    Ok(Preferences {
        current,
        history,
        marketing_opt_out,
        objects_to_suggestions,
        objects_to_statistics,
    })
}
