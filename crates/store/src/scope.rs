//! Who reaches whom: the one definition of each role's scope (ROLE-1, ROLE-2,
//! ROLE-4, POL-20), as SQL, used by the store's queries and by the sync
//! layer's replicas (`sync::replica`), so a laptop holds exactly the people
//! its user may see.
//!
//! - A trainer reaches the participants with a confirmed place in a group
//!   they lead (decision: requested and waitlisted people are the office's).
//! - An external trainer reaches the confirmed participants of the workshops
//!   they run (names and e-mails only, by the access table).
//! - Support reaches the participant of an assistance request assigned to
//!   them, open, and not expired.
//! - The office and the DPO reach everyone.
//!
//! Each definition is one SQL subquery with a single parameter, the staff
//! member's id (`?`); times are rendered into the text (never user input).

use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::SqliteConnection;
use domain::access::Scope;
use domain::enrolment::EnrolmentStatus;
use domain::Actor;

/// The subquery of the participant ids a scope reaches (one column,
/// `participant_id`; `?` is the staff id), or `None` for everyone.
pub fn participants_sql(scope: Scope, now: DateTime<Utc>) -> Option<String> {
    let confirmed = EnrolmentStatus::IN_TRAINER_SCOPE.as_str();
    match scope {
        Scope::Everyone => None,
        Scope::LedGroups => Some(format!(
            "SELECT e.participant_id FROM enrolments e JOIN workshop_groups g ON g.id = e.group_id \
             WHERE e.status = '{confirmed}' AND g.trainer_id = ?"
        )),
        Scope::OwnWorkshops => Some(format!(
            "SELECT e.participant_id FROM enrolments e JOIN workshop_groups g ON g.id = e.group_id \
             WHERE e.status = '{confirmed}' AND g.external_trainer_id = ?"
        )),
        Scope::OpenAssistance => {
            let now = sql_time(now);
            Some(format!(
                "SELECT a.participant_id FROM assistance_requests a WHERE a.support_id = ? \
                 AND a.closed_at IS NULL AND a.opened_at <= '{now}' AND a.expires_at > '{now}'"
            ))
        }
    }
}

/// The condition on `workshop_groups` (aliased as the table name) of the
/// groups a scope covers (`?` is the staff id): `None` for every group.
pub fn groups_sql(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::Everyone => None,
        Scope::LedGroups => Some("workshop_groups.trainer_id = ?"),
        Scope::OwnWorkshops => Some("workshop_groups.external_trainer_id = ?"),
        // Support reaches one person's account, never a group.
        Scope::OpenAssistance => Some("0 AND ? IS NULL"),
    }
}

/// A timestamp as the store writes it (diesel's SQLite text format).
fn sql_time(now: DateTime<Utc>) -> String {
    now.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string()
}

/// SQL text with the staff id written in (for the replica's generated SQL).
pub fn inline_staff(sql: &str, staff_id: &str) -> String {
    sql.replace('?', &format!("'{}'", staff_id.replace('\'', "''")))
}

/// Which participants the actor may see at `now`.
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

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    participant_id: String,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// The participant ids the actor's scope reaches at `now`.
pub fn participants(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ScopeFilter, StoreError> {
    let Some(sql) = participants_sql(actor.scope(), now) else {
        return Ok(ScopeFilter::Everyone);
    };
    let mut ids: Vec<String> =
        diesel::sql_query(format!("SELECT DISTINCT participant_id FROM ({sql})"))
            .bind::<Text, _>(actor.staff_id.as_str())
            .load::<IdRow>(conn)?
            .into_iter()
            .map(|row| row.participant_id)
            .collect();
    ids.sort();
    Ok(ScopeFilter::Only(ids))
}

/// Whether `participant` is in the actor's scope at `now` (one indexed query,
/// not the whole scope: DC-5 push throughput).
pub fn reaches(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(sql) = participants_sql(actor.scope(), now) else {
        return Ok(true);
    };
    let found = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM ({sql}) WHERE participant_id = ?) AS found"
    ))
    .bind::<Text, _>(actor.staff_id.as_str())
    .bind::<Text, _>(participant)
    .get_result::<Found>(conn)?;
    Ok(found.found)
}

/// Whether the actor's scope covers `group` (trainers: the groups they lead).
pub fn reaches_group(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
) -> Result<bool, StoreError> {
    let Some(condition) = groups_sql(actor.scope()) else {
        return Ok(true);
    };
    let found = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM workshop_groups WHERE workshop_groups.id = ? AND ({condition})) AS found"
    ))
    .bind::<Text, _>(group)
    .bind::<Text, _>(actor.staff_id.as_str())
    .get_result::<Found>(conn)?;
    Ok(found.found)
}

/// A filter on a query that joins `workshop_groups`: the groups the actor's
/// scope covers (every group for the office and the DPO).
pub type GroupCondition = diesel::expression::SqlLiteral<
    Bool,
    diesel::expression::UncheckedBind<
        diesel::expression::SqlLiteral<Bool>,
        <String as diesel::expression::AsExpression<Text>>::Expression,
    >,
>;

/// The participants the actor's scope reaches at `now`, as a condition on
/// `participants` for diesel queries (`None`: everyone). The scope stays a
/// subquery SQLite runs with the rest of the statement: binding the reached
/// ids one by one (500 for a trainer) prepared a new statement per list
/// (issue 13).
pub fn participants_condition(actor: &Actor, now: DateTime<Utc>) -> Option<GroupCondition> {
    let sql = participants_sql(actor.scope(), now)?;
    let (before, after) = sql
        .split_once('?')
        .expect("each scope subquery has exactly one parameter");
    Some(
        diesel::dsl::sql::<Bool>(&format!(
            "(participants.id IN (SELECT participant_id FROM ({before}"
        ))
        .bind::<Text, _>(actor.staff_id.as_str().to_owned())
        .sql(&format!("{after})))")),
    )
}

/// Rows whose `column` is one of `ids`: one bound JSON array, so the
/// statement is the same whatever the number of ids (and prepared once).
pub fn one_of(column: &str, ids: &[&str]) -> GroupCondition {
    let list = serde_json::to_string(ids).expect("a list of strings is JSON");
    diesel::dsl::sql::<Bool>(&format!("({column} IN (SELECT value FROM json_each("))
        .bind::<Text, _>(list)
        .sql(")))")
}

/// The groups the actor's scope covers, as a condition for diesel queries.
pub fn groups_condition(actor: &Actor) -> GroupCondition {
    let condition = groups_sql(actor.scope()).unwrap_or("? IS NOT NULL");
    // diesel writes the bind's own `?`: split the text around ours.
    let (before, after) = condition
        .split_once('?')
        .expect("each group condition has exactly one parameter");
    diesel::dsl::sql::<Bool>(&format!("({before}"))
        .bind::<Text, _>(actor.staff_id.as_str().to_owned())
        .sql(&format!("{after})"))
}
