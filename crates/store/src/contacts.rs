//! The participant list of a workshop for its external trainer (POL-15,
//! ROLE-2): names and e-mails only. Exported by the external trainer for their
//! own workshop, or by the office for any group. Audited per person listed.

use crate::gate;
use crate::schema::{enrolments, participants, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::contact_list::Contact;
use domain::enrolment::EnrolmentStatus;
use domain::{Action, Actor};

/// The group's confirmed participants as contacts, for the CSV export, with
/// the group's name (for the suggested file name).
pub fn workshop_contacts(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    now: DateTime<Utc>,
) -> Result<(String, Vec<Contact>), StoreError> {
    gate::run(conn, actor, Action::ContactListExport, now, |gate| {
        let name: Option<String> = workshop_groups::table
            .filter(workshop_groups::id.eq(group))
            .select(workshop_groups::name)
            .first(gate.conn())
            .optional()?;
        let Some(name) = name else {
            return Err(StoreError::NotFound(format!("group {group}")));
        };
        gate.reach_group(group)?;
        let filter = gate.scope()?;
        let rows: Vec<(String, String, String, String)> = enrolments::table
            .inner_join(participants::table)
            .filter(enrolments::group_id.eq(group))
            .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
            .order((participants::family_name, participants::given_name))
            .select((
                participants::id,
                participants::given_name,
                participants::family_name,
                participants::email,
            ))
            .load(gate.conn())?;
        let rows: Vec<_> = rows.into_iter().filter(|r| filter.contains(&r.0)).collect();
        gate.show(rows.iter().map(|r| &r.0));
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
    })
}
