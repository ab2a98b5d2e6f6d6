//! The laptop's sync engine: one round pushes the outbox, then the audit
//! trail, then pulls until caught up and every participant of the scope is
//! held. It talks to the server through a [`Transport`] (HTTPS in the
//! product, see [`crate::http`]); a failure at any point keeps every local
//! change (sync.md inv. 4): the outbox only loses what the server answered.

use crate::local;
use crate::wire::{
    codes, AuditAck, AuditPush, ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse,
    MAX_AUDIT_PER_PUSH, MAX_FETCH, MAX_OPS_PER_PUSH, PROTOCOL,
};
use chrono::{DateTime, Utc};
use domain::Actor;
use serde::Serialize;
use store::{Store, StoreError};

/// Why a request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No connection, time-out, TLS failure: try again later.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an error body.
    #[error("the server refused the request ({}): {}", .0.code, .0.message)]
    Refused(ErrorBody),
}

/// One request of the protocol each.
pub trait Transport {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError>;
    fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError>;
    fn push_audit(&mut self, request: &AuditPush) -> Result<AuditAck, TransportError>;
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// A stable code for the window.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Transport(TransportError::Unreachable(_)) => "offline",
            SyncError::Transport(TransportError::Refused(body)) => body.code.as_str(),
            SyncError::Store(error) => error.code().as_str(),
        }
    }

    /// The device was revoked on the server: the laptop must wipe itself.
    pub fn is_revoked(&self) -> bool {
        self.code() == codes::DEVICE_REVOKED
    }
}

/// Where a round is, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Pushing,
    PushingAudit,
    Pulling,
}

/// Counts of one round (no data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Report {
    pub pushed: usize,
    pub refused: usize,
    pub audit_pushed: usize,
    pub pulls: usize,
    pub participants_updated: usize,
    pub participants_purged: usize,
    pub participants_erased: usize,
    pub operations_dropped: usize,
}

/// Most pull requests one round makes (a guard against a server that never
/// says it is done).
const MAX_PULLS_PER_ROUND: usize = 10_000;

/// The laptop's store, one step of a round at a time. The window's copy locks
/// the store for each step and never while a request is out (a stalled
/// server must not freeze the window); tests and benchmarks hold the store
/// outright (`&mut Store`).
pub trait Local {
    fn with<R>(
        &mut self,
        step: impl FnOnce(&mut Store) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;
}

impl Local for &mut Store {
    fn with<R>(
        &mut self,
        step: impl FnOnce(&mut Store) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        step(self)
    }
}

/// One sync round. `progress(phase, done, remaining)` is called as it goes.
pub fn round(
    mut local: impl Local,
    actor: &Actor,
    transport: &mut dyn Transport,
    now: impl Fn() -> DateTime<Utc>,
    progress: &mut dyn FnMut(Phase, usize, i64),
) -> Result<Report, SyncError> {
    let result = round_inner(&mut local, actor, transport, &now, progress);
    // The status keeps the error's code, never its text (POL-22).
    let error = result.as_ref().err().map(SyncError::code);
    local.with(|store| local::note_round(store, now(), error))?;
    result
}

fn round_inner(
    local: &mut impl Local,
    actor: &Actor,
    transport: &mut dyn Transport,
    now: &dyn Fn() -> DateTime<Utc>,
    progress: &mut dyn FnMut(Phase, usize, i64),
) -> Result<Report, SyncError> {
    let mut report = Report::default();
    // 1. Push the outbox, oldest first.
    loop {
        let (ops, pending) = local.with(|store| {
            Ok((
                local::pending(store, MAX_OPS_PER_PUSH as i64)?,
                local::pending_count(store)?,
            ))
        })?;
        if ops.is_empty() {
            break;
        }
        progress(Phase::Pushing, report.pushed, pending);
        let answer = transport.push(&PushRequest {
            protocol: PROTOCOL,
            ops,
        })?;
        report.pushed += answer.answers.len();
        report.refused += local.with(|store| local::acknowledge(store, &answer.answers, now()))?;
        if answer.answers.is_empty() {
            break;
        }
    }
    // 2. Push the audit trail (POL-21).
    loop {
        let entries = local.with(|store| local::audit_to_push(store, MAX_AUDIT_PER_PUSH as i64))?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            break;
        };
        progress(
            Phase::PushingAudit,
            report.audit_pushed,
            entries.len() as i64,
        );
        let count = entries.len();
        let ack = transport.push_audit(&AuditPush {
            protocol: PROTOCOL,
            entries,
        })?;
        local.with(|store| local::audit_pushed(store, ack.stored_through.min(last)))?;
        report.audit_pushed += count;
        if ack.stored_through < last {
            break;
        }
    }
    // 3. Pull until caught up and the whole scope is held.
    loop {
        if report.pulls >= MAX_PULLS_PER_ROUND {
            break;
        }
        let request = local.with(|store| {
            Ok(PullRequest {
                protocol: PROTOCOL,
                cursor: local::cursor(store)?,
                fetch: local::to_fetch(store, MAX_FETCH as i64)?,
                reference: local::needs_reference(store)?,
            })
        })?;
        let response = transport.pull(&request)?;
        report.pulls += 1;
        let (pulled, still_needs_reference) = local.with(|store| {
            let pulled = local::apply_pull(store, actor, &response, now())?;
            // Asked-for participants the server did not send left the scope
            // meanwhile: the next scope list settles them; do not ask forever.
            if !request.fetch.is_empty() {
                local::forget_fetch(store, &request.fetch)?;
            }
            Ok((pulled, local::needs_reference(store)?))
        })?;
        report.participants_updated += pulled.participants_updated;
        report.participants_purged += pulled.participants_purged;
        report.participants_erased += pulled.participants_erased;
        report.operations_dropped += pulled.operations_dropped;
        progress(
            Phase::Pulling,
            report.participants_updated,
            pulled.still_to_fetch,
        );
        if !response.more && pulled.still_to_fetch == 0 {
            // Reference rows held back during a first sync come once more.
            if still_needs_reference && !request.reference {
                continue;
            }
            break;
        }
    }
    Ok(report)
}
