//! Issue 15: spreadsheet import. The office's spreadsheet of families
//! (POL-7, POL-35) as operations, so the server applies the same import.
//!
//! An operation carries checked registrations, not the file: the server
//! needs no spreadsheet reader, and runs the store's own import on them
//! again (role, rules and matching checked there too). A file of 20,000
//! rows is several megabytes of registrations, over what one operation may
//! weigh ([`crate::local::MAX_OP_BYTES`], which a push must fit), so an
//! import is sent in parts of at most [`PART_BYTES`] of rows each
//! ([`ImportFamilies`], numbered `part` of `parts`):
//!
//! - on the laptop every part is applied and queued in ONE transaction, one
//!   gated action ([`import_families`]): the office's import is all or
//!   nothing, and the outbox holds all its parts or none;
//! - the server applies the parts in the outbox's order, each all or
//!   nothing. A part it refuses (a programme removed meanwhile, a person
//!   erased meanwhile) is listed in the laptop's refused changes like any
//!   refused operation, and the laptop takes the server's state at its next
//!   pull; the other parts stand. A row of a part matches a person an
//!   earlier part created, as it did on the laptop.

use super::Op;
use crate::wire::Envelope;
use crate::Operation;
use chrono::{DateTime, Utc};
use domain::families_import::ImportRow;
use domain::Actor;
use serde::{Deserialize, Serialize};
use store::families_import::{ImportReport, Mode, SeededPart};
use store::{Store, StoreError};

/// The most bytes of rows (as JSON) in one part.
pub const PART_BYTES: usize = 32 * 1024;

/// One part of the office's spreadsheet import: rows in the file's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportFamilies {
    /// 1-based.
    pub part: u32,
    pub parts: u32,
    pub rows: Vec<ImportRow>,
}

impl Op for ImportFamilies {
    type Output = ImportReport;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        store::families_import::import(
            store.connection(),
            actor,
            &self.rows,
            Mode::Apply,
            at,
            &mut |_| {},
        )
    }
}

/// `rows` in parts of at most [`PART_BYTES`] each (a row over it alone is
/// a part of its own).
pub fn parts(rows: Vec<ImportRow>) -> Result<Vec<ImportFamilies>, StoreError> {
    let mut groups: Vec<Vec<ImportRow>> = Vec::new();
    let mut size = 0;
    for row in rows {
        let bytes = serde_json::to_string(&row)
            .map_err(|e| StoreError::Database(format!("row not serialisable: {e}")))?
            .len()
            + 1;
        match groups.last_mut() {
            Some(group) if size + bytes <= PART_BYTES => group.push(row),
            _ => {
                groups.push(vec![row]);
                size = 0;
            }
        }
        size += bytes;
    }
    let count = groups.len() as u32;
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(index, rows)| ImportFamilies {
            part: index as u32 + 1,
            parts: count,
            rows,
        })
        .collect())
}

/// The office's import on the laptop: the store imports every part in ONE
/// gated action (all or nothing), the ids of each part's rows seeded by
/// the part's operation id as [`super::run_seeded`] seeds them when the
/// server (or a rebase) applies that part alone, and each part is queued
/// in the outbox inside that same transaction. (Applying each part through
/// [`crate::local::apply`] gives the same rows, but nests a savepoint per
/// part, and SQLite's in-memory sub-journal makes every statement in a
/// savepoint cost more as the savepoint grows: 3× slower at 5,000 rows.)
/// `progress` is called with the rows done and the rows in all, after
/// each part.
pub fn import_families(
    store: &mut Store,
    actor: &Actor,
    rows: Vec<ImportRow>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, StoreError> {
    let total = rows.len();
    let envelopes: Vec<Envelope> = parts(rows)?
        .into_iter()
        .map(|part| Envelope {
            id: domain::new_id(),
            at: now,
            op: part.into(),
        })
        .collect();
    // Refused before anything changes, as `local::apply` refuses one.
    for envelope in &envelopes {
        if crate::local::encode(envelope)?.len() > crate::local::MAX_OP_BYTES {
            return Err(StoreError::InvalidInput(
                "a row of this file is larger than an operation may be".into(),
            ));
        }
    }
    let seeded: Vec<SeededPart<'_>> = envelopes
        .iter()
        .filter_map(|envelope| match &envelope.op {
            Operation::ImportFamilies(part) => Some(SeededPart {
                seed: &envelope.id,
                rows: &part.rows,
            }),
            _ => None,
        })
        .collect();
    let mut done = 0;
    progress(done, total);
    store::families_import::import_seeded(
        store.connection(),
        actor,
        &seeded,
        now,
        &mut |conn, index| {
            crate::local::append(conn, &envelopes[index], None)?;
            done += seeded[index].rows.len();
            progress(done, total);
            Ok(())
        },
    )
}
