//! Balancing a programme's groups (ROLE-3, POL-10): builds the instance from
//! the store (groups, confirmed places, pending requests with their slots and
//! their youngest child's age bracket), asks `domain::balancing` for the
//! optimal proposal, and applies an (edited) proposal in one transaction.
//! Confirmed places never move. Applying confirms the places that are paid or
//! waived; the others get their group and wait for payment (the payment gate).

use crate::gate;
use crate::schema::{enrolments, family_situations, participants, payments, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::balancing::{self as solver, GroupInput, Instance, RegistrationInput, Score};
use domain::enrolment::{EnrolmentStatus, PaymentState};
use domain::rights::AgeBracket;
use domain::{Action, Actor, ErrorCode};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A family's bracket for group composition is its youngest child's
/// (`AgeBracket::ALL` runs from the youngest).
fn youngest(brackets: &str) -> Option<String> {
    let present: Vec<&str> = brackets.split(',').map(str::trim).collect();
    AgeBracket::ALL
        .iter()
        .find(|b| present.contains(&b.as_str()))
        .map(|b| b.as_str().to_owned())
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct GroupFigure {
    pub id: String,
    pub name: String,
    pub slot: String,
    pub capacity: u32,
    pub confirmed: u32,
    /// Headcount after the proposal (confirmed + assigned).
    pub proposed: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct PendingRegistration {
    pub enrolment_id: String,
    pub participant_id: String,
    pub given_name: String,
    pub family_name: String,
    pub available_slots: Vec<String>,
    pub preferred_slot: Option<String>,
    pub bracket: Option<String>,
    pub payment: PaymentState,
    pub waiver: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct BalancingView {
    pub programme_id: String,
    pub groups: Vec<GroupFigure>,
    pub registrations: Vec<PendingRegistration>,
    /// Enrolment id → group id.
    pub assignments: BTreeMap<String, String>,
    pub unplaced: Vec<String>,
    pub score: Score,
}

struct Loaded {
    instance: Instance,
    names: HashMap<String, String>,
    pending: Vec<PendingRegistration>,
}

fn load(conn: &mut SqliteConnection, programme: &str) -> Result<Loaded, StoreError> {
    let groups: Vec<(String, String, String, i32)> = workshop_groups::table
        .filter(workshop_groups::programme_id.eq(programme))
        .order(workshop_groups::name)
        .select((
            workshop_groups::id,
            workshop_groups::name,
            workshop_groups::slot,
            workshop_groups::capacity,
        ))
        .load(conn)?;
    if groups.is_empty() {
        return Err(StoreError::NotFound(format!(
            "groups of programme {programme}"
        )));
    }
    let group_ids: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
    let confirmed: Vec<(Option<String>, Option<String>)> = enrolments::table
        .left_join(
            family_situations::table
                .on(family_situations::participant_id.eq(enrolments::participant_id)),
        )
        .filter(enrolments::group_id.eq_any(&group_ids))
        .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
        .select((
            enrolments::group_id,
            family_situations::age_brackets.nullable(),
        ))
        .load(conn)?;
    let mut inputs: Vec<GroupInput> = groups
        .iter()
        .map(|(id, _, slot, capacity)| GroupInput {
            id: id.clone(),
            capacity: (*capacity).max(0) as u32,
            confirmed: 0,
            slot: slot.clone(),
            confirmed_brackets: BTreeMap::new(),
        })
        .collect();
    for (group, brackets) in confirmed {
        if let Some(input) = inputs.iter_mut().find(|g| Some(&g.id) == group.as_ref()) {
            input.confirmed += 1;
            if let Some(bracket) = brackets.as_deref().and_then(youngest) {
                *input.confirmed_brackets.entry(bracket).or_default() += 1;
            }
        }
    }
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = enrolments::table
        .inner_join(participants::table)
        .left_join(
            family_situations::table
                .on(family_situations::participant_id.eq(enrolments::participant_id)),
        )
        .filter(enrolments::programme_id.eq(programme))
        .filter(enrolments::status.eq(EnrolmentStatus::Requested.as_str()))
        .order(enrolments::requested_at)
        .select((
            enrolments::id,
            participants::id,
            participants::given_name,
            participants::family_name,
            enrolments::available_slots,
            enrolments::preferred_slot,
            family_situations::age_brackets.nullable(),
            enrolments::waiver_reason,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let pays: Vec<(Option<String>, String)> = payments::table
        .filter(payments::enrolment_id.eq_any(&ids))
        .select((payments::enrolment_id, payments::status))
        .load(conn)?;
    let mut pending = Vec::with_capacity(rows.len());
    let mut registrations = Vec::with_capacity(rows.len());
    for (enrolment, participant, given, family, slots, preferred, brackets, waiver) in rows {
        let statuses: Vec<String> = pays
            .iter()
            .filter(|(e, _)| e.as_deref() == Some(enrolment.as_str()))
            .map(|(_, s)| s.clone())
            .collect();
        let available: BTreeSet<String> = slots
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let bracket = brackets.as_deref().and_then(youngest);
        registrations.push(RegistrationInput {
            id: enrolment.clone(),
            available_slots: available.clone(),
            preferred_slot: preferred.clone(),
            bracket: bracket.clone(),
        });
        pending.push(PendingRegistration {
            enrolment_id: enrolment,
            participant_id: participant,
            given_name: given,
            family_name: family,
            available_slots: available.into_iter().collect(),
            preferred_slot: preferred,
            bracket,
            payment: PaymentState::of(&statuses),
            waiver: waiver.is_some(),
        });
    }
    Ok(Loaded {
        instance: Instance {
            groups: inputs,
            registrations,
        },
        names: groups
            .into_iter()
            .map(|(id, name, ..)| (id, name))
            .collect(),
        pending,
    })
}

fn view(programme: &str, loaded: Loaded, proposal: solver::Proposal) -> BalancingView {
    let names = loaded.names;
    BalancingView {
        programme_id: programme.to_owned(),
        groups: loaded
            .instance
            .groups
            .iter()
            .map(|g| GroupFigure {
                name: names.get(&g.id).cloned().unwrap_or_default(),
                id: g.id.clone(),
                slot: g.slot.clone(),
                capacity: g.capacity,
                confirmed: g.confirmed,
                proposed: proposal
                    .headcounts
                    .get(&g.id)
                    .copied()
                    .unwrap_or(g.confirmed),
            })
            .collect(),
        registrations: loaded.pending,
        assignments: proposal.assignments,
        unplaced: proposal.unplaced,
        score: proposal.score,
    }
}

/// The optimal proposal for a programme's pending requests (see
/// `domain::balancing` for the objective). Audited: one entry per person shown.
pub fn propose(
    conn: &mut SqliteConnection,
    actor: &Actor,
    programme: &str,
    now: DateTime<Utc>,
) -> Result<BalancingView, StoreError> {
    gate::run(conn, actor, Action::BalancingPropose, now, |gate| {
        let loaded = load(gate.conn(), programme)?;
        let proposal = solver::propose(&loaded.instance);
        gate.show(loaded.pending.iter().map(|p| &p.participant_id));
        Ok(view(programme, loaded, proposal))
    })
}

/// The refusal of an edited proposal, with what is wrong (ids and counts
/// only), for the window to say it in its language.
fn invalid_proposal(violation: domain::balancing::Violation) -> StoreError {
    use domain::balancing::Violation;
    let refused = StoreError::refused(ErrorCode::InvalidProposal);
    match violation {
        Violation::UnknownRegistration(registration) => refused
            .with("reason", "unknown_registration")
            .with("registration", registration),
        Violation::UnknownGroup(group) => {
            refused.with("reason", "unknown_group").with("group", group)
        }
        Violation::SlotNotAvailable {
            registration,
            group,
        } => refused
            .with("reason", "slot_not_available")
            .with("registration", registration)
            .with("group", group),
        Violation::OverCapacity {
            group,
            headcount,
            capacity,
        } => refused
            .with("reason", "over_capacity")
            .with("group", group)
            .with("headcount", headcount)
            .with("capacity", capacity),
    }
}

/// Scores an edited proposal without applying it (the office sees its figures).
pub fn evaluate(
    conn: &mut SqliteConnection,
    actor: &Actor,
    programme: &str,
    assignments: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<BalancingView, StoreError> {
    gate::run(conn, actor, Action::BalancingEvaluate, now, |gate| {
        let loaded = load(gate.conn(), programme)?;
        let proposal = solver::evaluate(&loaded.instance, assignments).map_err(invalid_proposal)?;
        Ok(view(programme, loaded, proposal))
    })
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Applied {
    /// Paid or waived requests whose place is now confirmed.
    pub confirmed: u32,
    /// Requests given a group that still wait for their payment.
    pub awaiting_payment: u32,
    pub score: Score,
}

/// Applies a proposal in one transaction, after checking it against the
/// current data (capacities, slots): a stale or edited-into-infeasible
/// proposal is refused whole and nothing changes.
pub fn apply(
    conn: &mut SqliteConnection,
    actor: &Actor,
    programme: &str,
    assignments: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    gate::run(conn, actor, Action::BalancingApply, now, |gate| {
        let loaded = load(gate.conn(), programme)?;
        let proposal = solver::evaluate(&loaded.instance, assignments).map_err(invalid_proposal)?;
        let at = gate.at();
        let me = actor.staff_id.as_str().to_owned();
        let mut applied = Applied {
            confirmed: 0,
            awaiting_payment: 0,
            score: proposal.score.clone(),
        };
        for (enrolment, group) in &proposal.assignments {
            let pending = loaded
                .pending
                .iter()
                .find(|p| &p.enrolment_id == enrolment)
                .expect("evaluate accepted only known registrations");
            // POL-10: the payment gate; unpaid requests get their group and wait.
            let confirm = pending.payment == PaymentState::Confirmed || pending.waiver;
            let status = if confirm {
                EnrolmentStatus::Confirmed
            } else {
                EnrolmentStatus::Requested
            };
            let stamp = gate.stamp(enrolments::updated_at, enrolments::updated_device);
            diesel::update(enrolments::table.filter(enrolments::id.eq(enrolment)))
                .set((
                    enrolments::group_id.eq(Some(group)),
                    enrolments::status.eq(status.as_str()),
                    enrolments::decided_at.eq(confirm.then_some(at)),
                    enrolments::decided_by.eq(confirm.then_some(me.as_str())),
                    stamp,
                ))
                .execute(gate.conn())?;
            if confirm {
                applied.confirmed += 1;
            } else {
                applied.awaiting_payment += 1;
            }
            gate.show([&pending.participant_id]);
        }
        Ok(applied)
    })
}
