//! The participant list of a workshop for its external trainer (POL-15,
//! ROLE-2): names and e-mails only. Exported by the external trainer for their
//! own workshop, or by the office for any group. Audited per person listed.

use crate::api::scope_filter;
use crate::audit::{self, Outcome};
use crate::schema::{enrolments, participants, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{authorize, Access, Category, Scope};
use domain::contact_list::Contact;
use domain::Actor;

/// The group's confirmed participants as contacts, for the CSV export.
pub fn workshop_contacts(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    now: DateTime<Utc>,
) -> Result<(String, Vec<Contact>), StoreError> {
    const ACTION: &str = "contact_list.export";
    if let Err(denied) = authorize(actor, Category::ContactList, Access::Read) {
        audit::record_for(conn, actor, ACTION, &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    let found: Option<(String, String, Option<String>)> = workshop_groups::table
        .filter(workshop_groups::id.eq(group))
        .select((
            workshop_groups::name,
            workshop_groups::trainer_id,
            workshop_groups::external_trainer_id,
        ))
        .first(conn)
        .optional()?;
    let Some((name, trainer, external)) = found else {
        return Err(StoreError::NotFound(format!("group {group}")));
    };
    let me = actor.staff_id.as_str();
    let allowed = match actor.scope() {
        Scope::Everyone => true,
        Scope::OwnWorkshops => external.as_deref() == Some(me),
        Scope::LedGroups => trainer == me,
        Scope::OpenAssistance => false,
    };
    if !allowed {
        audit::record_for(conn, actor, ACTION, &[], Outcome::Denied, now)?;
        return Err(StoreError::OutOfScopeGroup(group.to_owned()));
    }
    let filter = scope_filter(conn, actor, now)?;
    let rows: Vec<(String, String, String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq("confirmed"))
        .order((participants::family_name, participants::given_name))
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
        ))
        .load(conn)?;
    let rows: Vec<_> = rows.into_iter().filter(|r| filter.contains(&r.0)).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    audit::record_for(conn, actor, ACTION, &ids, Outcome::Allowed, now)?;
    Ok((
        name,
        rows.into_iter()
            .map(|(_, given_name, family_name, email)| Contact {
                given_name,
                family_name,
                email,
            })
            .collect(),
    ))
}

/// A group's name, for the suggested file name (planning data, no personal data).
pub fn group_name(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    if let Err(denied) = authorize(actor, Category::ContactList, Access::Read) {
        audit::record_for(
            conn,
            actor,
            "contact_list.export",
            &[],
            Outcome::Denied,
            now,
        )?;
        return Err(denied.into());
    }
    workshop_groups::table
        .filter(workshop_groups::id.eq(group))
        .select(workshop_groups::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("group {group}")))
}
