//! Reading published statistics on a laptop (issue 16, POL-11, POL-12,
//! ROLE-1): the releases it holds and one month's tables, through the gate
//! (`statistics.list`, refusals audited), and a month's cells as CSV
//! (`statistics.export`, one entry in the trail).
//!
//! Only published figures exist in `stat_cells` (a hidden cell has no
//! value, on the server as on the laptop), and what this module answers for
//! a hidden cell is `hidden: true` and no value: never its outcome (whether
//! it was hidden for being small or to protect another cell says something
//! about it), never a rate computed from it.
//!
//! Trainers read the funnel cells of the groups they lead and nothing else
//! (no programme, format or section cell): the query is limited by their
//! scope (`crate::scope::groups_sql`), the rule the replica applies too.
//!
//! A cell's meaning is read from its key (`domain::statistics::Cell::parse`),
//! the ledger's identity of a cell; a row whose key does not parse, or whose
//! month or group disagrees with its columns, is left out.

use crate::gate;
use crate::schema::{programmes, workshop_groups};
use crate::scope;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::sqlite::SqliteConnection;
use domain::statistics::{Cell, Format, Measure, Month, Step};
use domain::{Action, Actor};
use serde::Serialize;
use std::collections::BTreeMap;

/// One month's release, as the actor may read it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Release {
    /// `YYYY-MM`.
    pub month: String,
    #[ts(type = "string")]
    pub published_at: DateTime<Utc>,
    /// The month's cells the actor may read, and how many of them are published.
    pub cells: u64,
    pub published: u64,
}

/// People who viewed a section of the website in the month.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SectionRow {
    pub section: String,
    /// `None` exactly when hidden.
    pub value: Option<u64>,
    pub hidden: bool,
}

/// People who reached a step, cumulative to the end of the month.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct StepRow {
    /// `enrolled`, `session-<n>` or `completed`.
    pub step: String,
    /// The session's number for `session-<n>`.
    pub session: Option<u16>,
    pub value: Option<u64>,
    pub hidden: bool,
}

/// The drop-out funnel of a programme or of a group, steps in order.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Funnel {
    /// The programme's or the group's id.
    pub id: String,
    /// Its name in the planning.
    pub name: String,
    /// For a group, its programme's id and name.
    pub programme_id: Option<String>,
    pub programme: Option<String>,
    pub steps: Vec<StepRow>,
}

/// One measure of a teaching format (a `domain::statistics::Measure`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct MeasureRow {
    pub measure: String,
    pub value: Option<u64>,
    pub hidden: bool,
}

/// A ratio of two published cells. `hidden` when either cell is hidden
/// (then no value); no value and not hidden when a cell is missing or the
/// denominator is zero.
#[derive(Clone, Debug, Serialize, PartialEq, ts_rs::TS)]
pub struct Rate {
    pub value: Option<f64>,
    pub hidden: bool,
}

/// Engagement of one teaching format (POL-12).
#[derive(Clone, Debug, Serialize, PartialEq, ts_rs::TS)]
pub struct FormatRow {
    /// `workshop`, `webinar` or `forum`.
    pub format: String,
    /// In the order of `Measure::ALL`.
    pub measures: Vec<MeasureRow>,
    /// attended / scheduled.
    pub attendance_rate: Rate,
    /// questions / attended.
    pub questions_per_attendee: Rate,
    /// completed to date / enrolled to date.
    pub completion_rate: Rate,
}

/// One month's tables as the actor may read them (trainers: `groups` only).
#[derive(Clone, Debug, Serialize, PartialEq, ts_rs::TS)]
pub struct MonthTables {
    pub month: String,
    /// Most viewed first, hidden cells last.
    pub sections: Vec<SectionRow>,
    /// Per programme, by name.
    pub programmes: Vec<Funnel>,
    /// Per group, by programme and name.
    pub groups: Vec<Funnel>,
    /// In the order of `Format::ALL`, the formats with cells.
    pub formats: Vec<FormatRow>,
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csv {
    pub bytes: Vec<u8>,
    /// One per cell.
    pub rows: usize,
}

/// The language of an export's headers and labels (French by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    French,
    English,
}

impl Language {
    /// `en` is English; anything else is French, the app's default.
    pub fn parse(code: &str) -> Self {
        if code == "en" {
            Language::English
        } else {
            Language::French
        }
    }
}

/// The releases the actor may read, latest first (trainers: the months with
/// a cell of one of their groups).
pub fn months(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Release>, StoreError> {
    gate::run(conn, actor, Action::StatisticsList, now, |gate| {
        releases(gate.conn(), actor)
    })
}

/// One month's tables (`YYYY-MM`), as the actor may read them.
pub fn month_tables(
    conn: &mut SqliteConnection,
    actor: &Actor,
    month: &str,
    now: DateTime<Utc>,
) -> Result<MonthTables, StoreError> {
    let month = parse_month(month)?;
    gate::run(conn, actor, Action::StatisticsList, now, |gate| {
        tables(gate.conn(), actor, month)
    })
}

/// One month's cells as CSV for a French spreadsheet (UTF-8 with a
/// byte-order mark, `;`, CRLF, every field quoted): `table; ligne; colonne;
/// valeur`, one row per cell, `< 5` for a hidden cell. Audited as
/// `statistics.export`.
pub fn export(
    conn: &mut SqliteConnection,
    actor: &Actor,
    month: &str,
    language: Language,
    now: DateTime<Utc>,
) -> Result<Csv, StoreError> {
    let month = parse_month(month)?;
    gate::run(conn, actor, Action::StatisticsExport, now, |gate| {
        let tables = tables(gate.conn(), actor, month)?;
        to_csv(&tables, language)
    })
}

fn parse_month(text: &str) -> Result<Month, StoreError> {
    Month::parse(text).ok_or_else(|| StoreError::InvalidInput("month".into()))
}

/// The condition on `stat_cells` (aliased `c`) of the cells the actor's
/// scope reads, with one `?` (the staff id) when bounded.
fn cells_condition(actor: &Actor) -> Option<String> {
    scope::groups_sql(actor.scope()).map(|groups| {
        format!(
            "c.table_name = 'funnel' AND c.group_id IS NOT NULL AND c.group_id IN \
             (SELECT workshop_groups.id FROM workshop_groups WHERE {groups})"
        )
    })
}

#[derive(QueryableByName)]
struct ReleaseSql {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = Timestamp)]
    published_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    cells: i64,
    #[diesel(sql_type = BigInt)]
    published: i64,
}

fn releases(conn: &mut SqliteConnection, actor: &Actor) -> Result<Vec<Release>, StoreError> {
    let condition = cells_condition(actor);
    let sql = format!(
        "SELECT r.month AS month, r.published_at AS published_at, count(c.id) AS cells, \
         coalesce(sum(c.outcome = 'published'), 0) AS published \
         FROM stat_releases r LEFT JOIN stat_cells c ON c.month = r.month{} \
         GROUP BY r.month{} ORDER BY r.month DESC",
        condition
            .as_deref()
            .map(|c| format!(" AND {c}"))
            .unwrap_or_default(),
        if condition.is_some() {
            " HAVING count(c.id) > 0"
        } else {
            ""
        },
    );
    let query = diesel::sql_query(sql);
    let rows: Vec<ReleaseSql> = if condition.is_some() {
        query.bind::<Text, _>(actor.staff_id.as_str()).load(conn)?
    } else {
        query.load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|row| Release {
            month: row.month,
            published_at: row.published_at.and_utc(),
            cells: row.cells.max(0) as u64,
            published: row.published.max(0) as u64,
        })
        .collect())
}

#[derive(QueryableByName)]
struct CellSql {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    group_id: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    value: Option<i64>,
    #[diesel(sql_type = Text)]
    outcome: String,
}

/// A cell's published value; `None` for a hidden cell (or a row that does
/// not hold a publishable value, which is treated as hidden).
fn published_value(row: &CellSql) -> Option<u64> {
    if row.outcome != "published" {
        return None;
    }
    row.value.and_then(|v| u64::try_from(v).ok())
}

/// The month's cells the actor reads, by key, with their published value.
fn cells(
    conn: &mut SqliteConnection,
    actor: &Actor,
    month: Month,
) -> Result<Vec<(Cell, Option<u64>)>, StoreError> {
    let condition = cells_condition(actor);
    let sql = format!(
        "SELECT c.id AS id, c.group_id AS group_id, c.value AS value, c.outcome AS outcome \
         FROM stat_cells c WHERE c.month = ?{} ORDER BY c.position, c.id",
        condition
            .as_deref()
            .map(|c| format!(" AND {c}"))
            .unwrap_or_default(),
    );
    let query = diesel::sql_query(sql).bind::<Text, _>(month.to_string());
    let rows: Vec<CellSql> = if condition.is_some() {
        query.bind::<Text, _>(actor.staff_id.as_str()).load(conn)?
    } else {
        query.load(conn)?
    };
    let bounded = condition.is_some();
    let mut skipped = 0usize;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let value = published_value(&row);
        let Some(cell) = Cell::parse(&row.id).filter(|cell| cell.month() == month) else {
            skipped += 1;
            continue;
        };
        // The key and the column the scope was checked on must agree; a
        // bounded role reads group funnels only.
        let consistent = match &cell {
            Cell::GroupFunnel { group, .. } => row.group_id.as_deref() == Some(group.as_str()),
            _ => !bounded,
        };
        if !consistent {
            skipped += 1;
            continue;
        }
        out.push((cell, value));
    }
    if skipped > 0 {
        tracing::warn!(month = %month, skipped, "statistics cells left out (key and columns disagree)");
    }
    Ok(out)
}

fn release_exists(conn: &mut SqliteConnection, month: Month) -> Result<bool, StoreError> {
    use crate::schema::stat_releases;
    let found: i64 = stat_releases::table
        .filter(stat_releases::month.eq(month.to_string()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The month's tables from its cells, names from the planning.
fn tables(
    conn: &mut SqliteConnection,
    actor: &Actor,
    month: Month,
) -> Result<MonthTables, StoreError> {
    if !release_exists(conn, month)? {
        return Err(StoreError::NotFound("release".into()));
    }
    let cells = cells(conn, actor, month)?;
    let programme_names: BTreeMap<String, String> = programmes::table
        .select((programmes::id, programmes::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let group_ids: Vec<&str> = cells
        .iter()
        .filter_map(|(cell, _)| match cell {
            Cell::GroupFunnel { group, .. } => Some(group.as_str()),
            _ => None,
        })
        .collect();
    let groups: BTreeMap<String, (String, String)> = workshop_groups::table
        .filter(workshop_groups::id.eq_any(&group_ids))
        .select((
            workshop_groups::id,
            workshop_groups::name,
            workshop_groups::programme_id,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, programme)| (id, (name, programme)))
        .collect();

    let mut sections = Vec::new();
    let mut programme_steps: BTreeMap<String, Vec<(Step, Option<u64>)>> = BTreeMap::new();
    let mut group_steps: BTreeMap<String, Vec<(Step, Option<u64>)>> = BTreeMap::new();
    let mut format_cells: BTreeMap<Format, BTreeMap<Measure, Option<u64>>> = BTreeMap::new();
    for (cell, value) in cells {
        match cell {
            Cell::Section { section, .. } => sections.push(SectionRow {
                section,
                value,
                hidden: value.is_none(),
            }),
            Cell::ProgrammeFunnel {
                programme, step, ..
            } => programme_steps
                .entry(programme)
                .or_default()
                .push((step, value)),
            Cell::GroupFunnel { group, step, .. } => {
                group_steps.entry(group).or_default().push((step, value))
            }
            Cell::Format {
                format, measure, ..
            } => {
                format_cells
                    .entry(format)
                    .or_default()
                    .insert(measure, value);
            }
        }
    }
    // Most viewed first; hidden cells last (their order says nothing).
    sections.sort_by(|a, b| {
        a.hidden
            .cmp(&b.hidden)
            .then(b.value.cmp(&a.value))
            .then(a.section.cmp(&b.section))
    });
    let mut programmes: Vec<Funnel> = programme_steps
        .into_iter()
        .map(|(id, steps)| Funnel {
            name: programme_names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| id.clone()),
            id,
            programme_id: None,
            programme: None,
            steps: step_rows(steps),
        })
        .collect();
    programmes.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut groups: Vec<Funnel> = group_steps
        .into_iter()
        .map(|(id, steps)| {
            let (name, programme_id, programme) = match groups.get(&id) {
                Some((name, programme)) => (
                    name.clone(),
                    Some(programme.clone()),
                    Some(
                        programme_names
                            .get(programme)
                            .cloned()
                            .unwrap_or_else(|| programme.clone()),
                    ),
                ),
                None => (id.clone(), None, None),
            };
            Funnel {
                id,
                name,
                programme_id,
                programme,
                steps: step_rows(steps),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        a.programme
            .cmp(&b.programme)
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    });
    let formats = Format::ALL
        .into_iter()
        .filter_map(|format| {
            format_cells
                .get(&format)
                .map(|measures| format_row(format, measures))
        })
        .collect();
    Ok(MonthTables {
        month: month.to_string(),
        sections,
        programmes,
        groups,
        formats,
    })
}

fn step_rows(mut steps: Vec<(Step, Option<u64>)>) -> Vec<StepRow> {
    steps.sort_by_key(|(step, _)| *step);
    steps
        .into_iter()
        .map(|(step, value)| StepRow {
            step: step.key(),
            session: match step {
                Step::Session(n) => Some(n),
                _ => None,
            },
            value,
            hidden: value.is_none(),
        })
        .collect()
}

/// `numerator / denominator` when both cells are published and the
/// denominator is not zero.
fn rate(measures: &BTreeMap<Measure, Option<u64>>, numerator: Measure, over: Measure) -> Rate {
    let (Some(top), Some(bottom)) = (measures.get(&numerator), measures.get(&over)) else {
        return Rate {
            value: None,
            hidden: false,
        };
    };
    match (top, bottom) {
        (Some(top), Some(bottom)) => Rate {
            value: (*bottom > 0).then(|| *top as f64 / *bottom as f64),
            hidden: false,
        },
        _ => Rate {
            value: None,
            hidden: true,
        },
    }
}

fn format_row(format: Format, measures: &BTreeMap<Measure, Option<u64>>) -> FormatRow {
    FormatRow {
        format: format.as_str().to_owned(),
        measures: Measure::ALL
            .into_iter()
            .filter_map(|measure| {
                measures.get(&measure).map(|value| MeasureRow {
                    measure: measure.as_str().to_owned(),
                    value: *value,
                    hidden: value.is_none(),
                })
            })
            .collect(),
        attendance_rate: rate(measures, Measure::Attended, Measure::Scheduled),
        questions_per_attendee: rate(measures, Measure::Questions, Measure::Attended),
        completion_rate: rate(measures, Measure::CompletedToDate, Measure::EnrolledToDate),
    }
}

/// What a hidden cell shows, in the file as in the window.
pub const HIDDEN: &str = "< 5";

/// The export's words.
struct Words {
    header: [&'static str; 4],
    sections: &'static str,
    people: &'static str,
    programme_funnel: &'static str,
    group_funnel: &'static str,
    formats: &'static str,
}

const FRENCH: Words = Words {
    header: ["table", "ligne", "colonne", "valeur"],
    sections: "Sections consultées",
    people: "Personnes",
    programme_funnel: "Parcours par programme",
    group_funnel: "Parcours par groupe",
    formats: "Formats",
};

const ENGLISH: Words = Words {
    header: ["table", "row", "column", "value"],
    sections: "Sections viewed",
    people: "People",
    programme_funnel: "Funnel by programme",
    group_funnel: "Funnel by group",
    formats: "Formats",
};

fn step_label(step: &StepRow, language: Language) -> String {
    match (step.step.as_str(), step.session, language) {
        (_, Some(n), Language::French) => format!("Séance {n}"),
        (_, Some(n), Language::English) => format!("Session {n}"),
        ("enrolled", _, Language::French) => "Inscrits".to_owned(),
        ("enrolled", _, Language::English) => "Enrolled".to_owned(),
        ("completed", _, Language::French) => "Terminé".to_owned(),
        ("completed", _, Language::English) => "Completed".to_owned(),
        (other, _, _) => other.to_owned(),
    }
}

fn format_label(format: &str, language: Language) -> &str {
    match (format, language) {
        ("workshop", Language::French) => "Atelier en présentiel",
        ("workshop", Language::English) => "In-person workshop",
        ("webinar", Language::French) => "Webinaire",
        ("webinar", Language::English) => "Webinar",
        ("forum", _) => "Forum",
        (other, _) => other,
    }
}

fn measure_label(measure: &str, language: Language) -> &str {
    match (measure, language) {
        ("scheduled", Language::French) => "Attendus à une séance du mois",
        ("scheduled", Language::English) => "Expected at a session this month",
        ("attended", Language::French) => "Présents",
        ("attended", Language::English) => "Attended",
        ("asked", Language::French) => "Ont posé une question",
        ("asked", Language::English) => "Asked a question",
        ("questions", Language::French) => "Questions posées",
        ("questions", Language::English) => "Questions asked",
        ("enrolled_to_date", Language::French) => "Inscrits à ce jour",
        ("enrolled_to_date", Language::English) => "Enrolled to date",
        ("completed_to_date", Language::French) => "Ont terminé à ce jour",
        ("completed_to_date", Language::English) => "Completed to date",
        (other, _) => other,
    }
}

/// A text a spreadsheet would run as a formula gets a leading `'` (names
/// come from the planning, typed by people).
fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The month's tables as CSV (see [`export`]), written by the `csv` crate.
pub fn to_csv(tables: &MonthTables, language: Language) -> Result<Csv, StoreError> {
    let words = match language {
        Language::French => &FRENCH,
        Language::English => &ENGLISH,
    };
    let mut rows: Vec<[String; 4]> = Vec::new();
    let value = |value: Option<u64>| value.map_or_else(|| HIDDEN.to_owned(), |v| v.to_string());
    for section in &tables.sections {
        rows.push([
            words.sections.to_owned(),
            section.section.clone(),
            words.people.to_owned(),
            value(section.value),
        ]);
    }
    for (table, funnels) in [
        (words.programme_funnel, &tables.programmes),
        (words.group_funnel, &tables.groups),
    ] {
        for funnel in funnels {
            for step in &funnel.steps {
                rows.push([
                    table.to_owned(),
                    funnel.name.clone(),
                    step_label(step, language),
                    value(step.value),
                ]);
            }
        }
    }
    for format in &tables.formats {
        for measure in &format.measures {
            rows.push([
                words.formats.to_owned(),
                format_label(&format.format, language).to_owned(),
                measure_label(&measure.measure, language).to_owned(),
                value(measure.value),
            ]);
        }
    }
    let failed = |_| StoreError::Database("writing the CSV".into());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(words.header).map_err(failed)?;
    for row in &rows {
        writer
            .write_record(row.iter().map(|text| guarded(text)))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|_| StoreError::Database("writing the CSV".into()))?;
    Ok(Csv {
        bytes,
        rows: rows.len(),
    })
}
