//! The monthly run (issue 16; POL-11, POL-12, POL-25c, POL-32): counts a
//! month's facts ([`super::facts::count`]), decides what may be published
//! against everything published before (`domain::statistics::release`),
//! and writes the release into the ledger (`stat_releases`, `stat_cells`)
//! in one gated action, `statistics.publish`, audited once.
//!
//! - A month is released once, after it ended in Paris ([`publish`]
//!   refuses one that has not, and answers a month already released with
//!   its release, unchanged: on the server the ledger is frozen, SQL
//!   triggers refuse any change to it). Months are released in order: a
//!   month before the latest release is refused (the next months'
//!   suppression is chosen against the earlier ones, never the reverse).
//! - Before counting, technical traces past their period are deleted by
//!   the retention engine's own sweep (`crate::retention::sweep_traces`,
//!   POL-32), whenever the full sweep last ran.
//! - A hidden cell is written without a value (`value` NULL); every cell
//!   gets its row and column (`dimension`, `measure`, the programme and
//!   group) from its key ([`columns`]) and its place in its table.
//! - Logs hold counts only (cells, published, hidden, ledger_discloses):
//!   never a value, never a cell's key, never a person's id (POL-22).
//!
//! The actor is a DPO (only the DPO reads technical traces): on the
//! server, its statistics service account; on a laptop's demo store, the
//! demo DPO.

use super::facts;
use crate::gate;
use crate::schema::{stat_cells, stat_releases};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::retention::ActionKind;
use domain::statistics::{release, Cell, LedgerCell, Month, Outcome, Table, Universe};
use domain::{Action, Actor};
use std::collections::BTreeMap;

/// What a run did (or found, for a month already released).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub month: Month,
    /// The month was released before: nothing was counted or written.
    pub already_released: bool,
    pub published_at: DateTime<Utc>,
    /// Every cell of the release, published or hidden.
    pub cells: usize,
    pub published: usize,
    pub hidden: usize,
    /// Sensitive counts the ledger alone already determined (cells
    /// published earlier whose people changed since, e.g. by an erasure;
    /// they cannot be withdrawn). Zero for a month already released.
    pub ledger_discloses: usize,
    /// Technical traces past their period deleted before counting (POL-32).
    pub traces_deleted: u64,
}

/// A cell's row and column in `stat_cells`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub programme_id: Option<String>,
    pub group_id: Option<String>,
    /// The section, the programme or group, or the format.
    pub dimension: String,
    /// `viewers` for a section, the step for a funnel, the format's measure.
    pub measure: String,
}

/// The columns of `cell` (a group's programme from the universe).
pub fn columns(cell: &Cell, universe: &Universe) -> Columns {
    match cell {
        Cell::Section { section, .. } => Columns {
            programme_id: None,
            group_id: None,
            dimension: section.clone(),
            measure: "viewers".to_owned(),
        },
        Cell::ProgrammeFunnel {
            programme, step, ..
        } => Columns {
            programme_id: Some(programme.clone()),
            group_id: None,
            dimension: programme.clone(),
            measure: step.key(),
        },
        Cell::GroupFunnel { group, step, .. } => Columns {
            programme_id: universe.groups.get(group).map(|g| g.programme.clone()),
            group_id: Some(group.clone()),
            dimension: group.clone(),
            measure: step.key(),
        },
        Cell::Format {
            format, measure, ..
        } => Columns {
            programme_id: None,
            group_id: None,
            dimension: format.as_str().to_owned(),
            measure: measure.as_str().to_owned(),
        },
    }
}

/// The latest month released, if any.
pub fn latest_release(conn: &mut SqliteConnection) -> Result<Option<Month>, StoreError> {
    let latest: Option<String> = stat_releases::table
        .select(diesel::dsl::max(stat_releases::month))
        .first(conn)?;
    Ok(latest.as_deref().and_then(Month::parse))
}

/// The release of `month` as the ledger holds it, if there is one.
pub fn released(
    conn: &mut SqliteConnection,
    month: Month,
) -> Result<Option<RunSummary>, StoreError> {
    let row: Option<(NaiveDateTime, i32, i32)> = stat_releases::table
        .find(month.to_string())
        .select((
            stat_releases::published_at,
            stat_releases::cells,
            stat_releases::published,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(at, cells, published)| RunSummary {
        month,
        already_released: true,
        published_at: at.and_utc(),
        cells: cells.max(0) as usize,
        published: published.max(0) as usize,
        hidden: (cells - published).max(0) as usize,
        ledger_discloses: 0,
        traces_deleted: 0,
    }))
}

/// The page cache of a run, in KiB. The run reads a year of traces once:
/// through the store's own cache (256 MiB, decision 004) it would fill it
/// with pages read once and grow the process by as much, for no gain (the
/// other tables it reads fit in this one). The store's own size comes back
/// after the run.
pub const RUN_CACHE_KIB: i64 = 32 * 1024;

#[derive(diesel::QueryableByName)]
struct CacheSize {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
}

fn with_run_cache<T>(
    conn: &mut SqliteConnection,
    work: impl FnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::SimpleConnection;
    let previous = diesel::sql_query("PRAGMA cache_size")
        .get_result::<CacheSize>(conn)?
        .cache_size;
    conn.batch_execute(&format!("PRAGMA cache_size = -{RUN_CACHE_KIB}"))?;
    let result = work(conn);
    conn.batch_execute(&format!("PRAGMA cache_size = {previous}"))?;
    result
}

/// Publishes `month` at `now` as `actor` (see the module doc).
pub fn publish(
    conn: &mut SqliteConnection,
    actor: &Actor,
    month: Month,
    now: DateTime<Utc>,
) -> Result<RunSummary, StoreError> {
    if let Some(summary) = released(conn, month)? {
        return Ok(summary);
    }
    if !facts::has_ended(month, now) {
        return Err(StoreError::InvalidInput(format!(
            "statistics: {month} has not ended in Paris; a month is released once it has"
        )));
    }
    if let Some(latest) = latest_release(conn)? {
        if latest > month {
            return Err(StoreError::InvalidInput(format!(
                "statistics: {latest} is released; months are released in order, and {month} \
                 comes before it"
            )));
        }
    }
    let summary = with_run_cache(conn, |conn| {
        gate::run(conn, actor, Action::StatisticsPublish, now, |gate| {
            // Another publisher may have been first (the write lock is ours now).
            if let Some(summary) = released(gate.conn(), month)? {
                return Ok(summary);
            }
            // POL-32 first, in the same transaction (a retention run of its own
            // in the trail, before this publication's entry).
            let mut traces_deleted = 0;
            if crate::retention::traces_due(gate.conn(), now)? {
                let actor = gate.actor().clone();
                let swept = crate::retention::sweep_traces(gate.conn(), &actor, now)?;
                traces_deleted = swept.summary.of(ActionKind::DeleteTraces).records;
            }
            let facts = facts::count(gate.conn(), month, now)?;
            let ledger: Vec<LedgerCell> = stat_cells::table
                .filter(stat_cells::month.lt(month.to_string()))
                .select((stat_cells::id, stat_cells::value.is_not_null()))
                .load::<(String, bool)>(gate.conn())?
                .into_iter()
                .map(|(key, published)| LedgerCell { key, published })
                .collect();
            let release = release(month, &facts, &ledger);
            drop(ledger);
            let published = release
                .cells
                .iter()
                .filter(|c| c.outcome == Outcome::Published)
                .count();
            let at = gate.at();
            let device = gate.device().to_owned();
            diesel::insert_into(stat_releases::table)
                .values((
                    stat_releases::month.eq(month.to_string()),
                    stat_releases::published_at.eq(at),
                    stat_releases::cells.eq(release.cells.len() as i32),
                    stat_releases::published.eq(published as i32),
                    stat_releases::updated_at.eq(at),
                    stat_releases::updated_device.eq(&device),
                ))
                .execute(gate.conn())?;
            let mut positions: BTreeMap<Table, i32> = BTreeMap::new();
            let mut rows = Vec::with_capacity(release.cells.len());
            for released in &release.cells {
                if released.cell.month() != month {
                    return Err(StoreError::Database(
                        "statistics: a release holds a cell of another month".into(),
                    ));
                }
                let table = released.cell.table();
                let position = positions.entry(table).or_default();
                let Columns {
                    programme_id,
                    group_id,
                    dimension,
                    measure,
                } = columns(&released.cell, &facts.universe);
                // Only a published cell has a value (the CHECK says so too).
                let value = match released.outcome {
                    Outcome::Published => released.value.map(|v| v as i64),
                    Outcome::Primary | Outcome::Secondary => None,
                };
                rows.push((
                    stat_cells::id.eq(released.cell.key()),
                    stat_cells::month.eq(month.to_string()),
                    stat_cells::table_name.eq(table.as_str()),
                    stat_cells::programme_id.eq(programme_id),
                    stat_cells::group_id.eq(group_id),
                    stat_cells::dimension.eq(dimension),
                    stat_cells::measure.eq(measure),
                    stat_cells::value.eq(value),
                    stat_cells::outcome.eq(released.outcome.as_str()),
                    stat_cells::position.eq(*position),
                    stat_cells::updated_at.eq(at),
                    stat_cells::updated_device.eq(device.clone()),
                ));
                *position += 1;
            }
            for chunk in rows.chunks(400) {
                diesel::insert_into(stat_cells::table)
                    .values(chunk)
                    .execute(gate.conn())?;
            }
            Ok(RunSummary {
                month,
                already_released: false,
                published_at: now,
                cells: release.cells.len(),
                published,
                hidden: release.cells.len() - published,
                ledger_discloses: release.ledger_discloses,
                traces_deleted,
            })
        })
    })?;
    if !summary.already_released {
        tracing::info!(
            month = %summary.month,
            cells = summary.cells,
            published = summary.published,
            hidden = summary.hidden,
            ledger_discloses = summary.ledger_discloses,
            traces_deleted = summary.traces_deleted,
            "statistics released"
        );
    }
    Ok(summary)
}
