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
//! - on the laptop every part is applied and queued in ONE local
//!   transaction ([`import_families`]): the office's import is all or
//!   nothing, and the outbox holds all its parts or none;
//! - the server applies the parts in the outbox's order, each all or
//!   nothing. A part it refuses (a programme removed meanwhile, a person
//!   erased meanwhile) is listed in the laptop's refused changes like any
//!   refused operation, and the laptop takes the server's state at its next
//!   pull; the other parts stand. A row of a part matches a person an
//!   earlier part created, as it did on the laptop.

use super::Op;
use chrono::{DateTime, Utc};
use domain::families_import::ImportRow;
use domain::Actor;
use serde::{Deserialize, Serialize};
use store::families_import::{ImportReport, Mode};
use store::{Store, StoreError};

/// The most bytes of rows (as JSON) in one part.
pub const PART_BYTES: usize = 256 * 1024;

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

/// The office's import on the laptop: every part applied and queued in one
/// transaction (all or nothing). `progress` is called with the rows done
/// and the rows in all, after each part.
pub fn import_families(
    store: &mut Store,
    actor: &Actor,
    rows: Vec<ImportRow>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, StoreError> {
    let total = rows.len();
    let parts = parts(rows)?;
    store::tx::write(store, |store| {
        let mut report = ImportReport::default();
        let mut done = 0;
        progress(done, total);
        for part in parts {
            done += part.rows.len();
            let answer = crate::local::apply(store, actor, part, now)?;
            report.counts.add(answer.counts);
            progress(done, total);
        }
        Ok(report)
    })
}
