//! The one gate (POL-20, POL-21): every store function that reads or writes
//! participant data runs its work through [`run`], which
//!
//! 1. authorises the action for the actor's role (the table of
//!    [`domain::Action`]: role × category); a refusal is audited at once;
//! 2. opens one transaction (a write transaction, or a savepoint inside the
//!    caller's), in which the work checks each participant it touches
//!    against the actor's scope ([`Gate::reach`]) and stamps changed rows
//!    with the time and the device ([`Gate::stamp`]);
//! 3. audits a success in that same transaction: one entry per participant
//!    shown or changed ([`domain::actions::Trail`]);
//! 4. audits a refusal decided inside the work (out of scope, a business
//!    rule) after the rollback, so the attempt stays in the trail.
//!
//! **Invariant**: no other module calls `authorize` or appends an allowed or
//! refused audit entry; the trail is written here (and by sign-in, which has
//! no actor yet).

use crate::audit::{self, Outcome};
use crate::scope;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::Eq;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::{SqlType, Text, Timestamp};
use diesel::sqlite::SqliteConnection;
use domain::actions::Trail;
use domain::{Action, Actor};

/// What the work of an action sees: the connection inside the transaction,
/// the actor, the time, and what it touched.
pub struct Gate<'a> {
    conn: &'a mut SqliteConnection,
    actor: &'a Actor,
    now: DateTime<Utc>,
    recorded_as: Action,
    subjects: Vec<String>,
}

impl Gate<'_> {
    /// The connection, inside the action's transaction.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The time as stored (UTC).
    pub fn at(&self) -> NaiveDateTime {
        self.now.naive_utc()
    }

    /// Refuses a participant outside the actor's scope (audited with their
    /// pseudonymous id after the rollback); otherwise counts them as touched.
    pub fn reach(&mut self, participant: &str) -> Result<(), StoreError> {
        if !scope::reaches(self.conn, self.actor, participant, self.now)? {
            return Err(StoreError::OutOfScope(participant.to_owned()));
        }
        self.subjects.push(participant.to_owned());
        Ok(())
    }

    /// Refuses a group outside the actor's scope (trainers: groups they lead).
    pub fn reach_group(&mut self, group: &str) -> Result<(), StoreError> {
        if !scope::reaches_group(self.conn, self.actor, group)? {
            return Err(StoreError::OutOfScopeGroup(group.to_owned()));
        }
        Ok(())
    }

    /// The participants the actor's scope reaches now.
    pub fn scope(&mut self) -> Result<scope::ScopeFilter, StoreError> {
        scope::participants(self.conn, self.actor, self.now)
    }

    /// Counts participants as shown or changed, when the query that found
    /// them was already limited to the scope.
    pub fn show<S: AsRef<str>>(&mut self, participants: impl IntoIterator<Item = S>) {
        self.subjects
            .extend(participants.into_iter().map(|p| p.as_ref().to_owned()));
    }

    /// Records the success under another action of the table (a
    /// confirmation that waitlisted the person is recorded as such).
    pub fn record_as(&mut self, action: Action) {
        self.recorded_as = action;
    }

    /// `updated_at = now, updated_device = this device` for a changed row
    /// (every replicated row names the time and the device of its change).
    pub fn stamp<At, Device>(
        &self,
        at: At,
        device: Device,
    ) -> (Eq<At, NaiveDateTime>, Eq<Device, String>)
    where
        At: ExpressionMethods,
        At::SqlType: SqlType,
        NaiveDateTime: AsExpression<At::SqlType>,
        Device: ExpressionMethods,
        Device::SqlType: SqlType,
        String: AsExpression<Device::SqlType>,
        At: Expression<SqlType = Timestamp>,
        Device: Expression<SqlType = Text>,
    {
        (
            at.eq(self.at()),
            device.eq(self.actor.device_id.as_str().to_owned()),
        )
    }

    /// The device id, for rows written with raw SQL.
    pub fn device(&self) -> &str {
        self.actor.device_id.as_str()
    }

    /// Runs `work` in a savepoint that is always undone: a dry run that
    /// computes what a change would do with the change's own code, and
    /// leaves nothing (the spreadsheet import's preview). Participants it
    /// touched are not counted; the caller shows the ones it reveals.
    ///
    /// The savepoint is released after its rollback (diesel's nested
    /// rollback leaves it open, and every later statement of the
    /// transaction would then pay for its sub-journal).
    pub fn rehearse<T>(
        &mut self,
        work: impl FnOnce(&mut Gate<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        use diesel::connection::SimpleConnection;
        self.conn.batch_execute("SAVEPOINT gate_rehearsal")?;
        let mut inner = Gate {
            conn: &mut *self.conn,
            actor: self.actor,
            now: self.now,
            recorded_as: self.recorded_as,
            subjects: Vec::new(),
        };
        let answer = work(&mut inner);
        self.conn.batch_execute(
            "ROLLBACK TO SAVEPOINT gate_rehearsal; RELEASE SAVEPOINT gate_rehearsal",
        )?;
        answer
    }
}

/// Runs `work` as `action` by `actor` at `now`: authorise, transaction,
/// scope, audit (see the module doc).
pub fn run<T>(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: Action,
    now: DateTime<Utc>,
    work: impl FnOnce(&mut Gate<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    // Background work (the trail's side index) waits while a command runs.
    let _foreground = crate::checkpoint::foreground();
    if let Err(denied) = action.authorize(actor) {
        audit::record_for(conn, actor, action.name(), &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    let trail = action.trail();
    let mut touched: Option<(Action, Vec<String>)> = None;
    let in_transaction = |conn: &mut SqliteConnection| -> Result<T, StoreError> {
        let mut gate = Gate {
            conn,
            actor,
            now,
            recorded_as: action,
            subjects: Vec::new(),
        };
        let value = work(&mut gate)?;
        match trail {
            Trail::Changed => {
                record_success(gate.conn, actor, gate.recorded_as, &gate.subjects, now)?
            }
            Trail::Shown => touched = Some((gate.recorded_as, gate.subjects)),
            Trail::RefusalsOnly => {}
        }
        Ok(value)
    };
    let result = match trail {
        // A change takes the write lock first (a read that upgrades later
        // fails on a concurrent writer instead of waiting for it).
        Trail::Changed => crate::tx::immediate(conn, in_transaction),
        // A read reads one snapshot, then appends what it showed.
        Trail::Shown | Trail::RefusalsOnly => conn.transaction(in_transaction),
    };
    if let (Ok(_), Some((recorded_as, subjects))) = (&result, touched) {
        record_success(conn, actor, recorded_as, &subjects, now)?;
    }
    if let Err(error) = &result {
        record_refusal(conn, actor, action, error, now)?;
    }
    result
}

fn record_success(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: Action,
    subjects: &[String],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
    audit::record_for(conn, actor, action.name(), &subjects, Outcome::Allowed, now)
}

/// After a refused action was rolled back, records the attempt (POL-21:
/// attempts outside one's scope or against a rule are part of the trail).
fn record_refusal(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: Action,
    error: &StoreError,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !error.is_refusal() {
        return Ok(());
    }
    let subjects: Vec<&str> = match error {
        StoreError::OutOfScope(participant) => vec![participant.as_str()],
        _ => Vec::new(),
    };
    audit::record_for(conn, actor, action.name(), &subjects, Outcome::Denied, now)
}
