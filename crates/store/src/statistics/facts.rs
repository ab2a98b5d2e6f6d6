//! The facts of a month's release, counted by the store (issue 16; POL-11,
//! POL-12, POL-26): distinct participants, people who objected to
//! statistics (`objects_to_statistics`) left out of every count, erased
//! people absent by construction (their rows are deleted, and every count
//! goes through the participants the store holds). Months are calendar months in Paris
//! ([`Month::of`]); every figure stops at the end of the release's month.
//!
//! - **Sections**: people with a `section.viewed` trace in the month.
//! - **Funnel**: per group, the month each member (a confirmed place in
//!   the group) first reached each step, for every month up to the
//!   release's ([`domain::statistics::first_reaches`]): enrolled in the
//!   month the place was decided (else requested); a session reached when
//!   attended (an `attendance` row, or a `session.joined` trace; the
//!   session's number is its rank in the group by start time, 1-based, and
//!   its month the month it started in), or when a `programme.step_reached`
//!   trace names it for the member's programme (step n is session n, in the
//!   month of the first such trace).
//! - **Formats**: people with a confirmed place in a group that had a
//!   session in the month, in three disjoint parts per format (absent,
//!   attended without a question, asked a question); attending means an
//!   attendance row or a `session.joined` trace of a session of the month,
//!   asking means a question asked in the month, and the month's questions
//!   of the askers are counted too.
//!
//! Volume (the bench: a year of ten million traces, 100,000 people): the
//! traces are read in one pass over the table, streamed and reduced in
//! memory to what counts (first reaches, distinct pairs); the other tables
//! come back as integers (SQLite rowids stand for the ids, and are
//! interned into `u32`s here), and only the groups' ids are strings.

use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use diesel::sqlite::SqliteConnection;
use domain::statistics::{
    first_reaches, Facts, Format, FormatPart, GroupInfo, Month, Step, Universe,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the run's own maps (Fx, as rustc's): their keys are
/// rowids and ids the store wrote, not input anyone chooses to collide,
/// and SipHash was a fifth of the run's time over ten million traces.
#[derive(Default, Clone, Copy)]
struct Fast(u64);

impl Fast {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fast {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut rest = [0u8; 8];
        let tail = chunks.remainder();
        rest[..tail.len()].copy_from_slice(tail);
        self.add(u64::from_le_bytes(rest));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fast>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fast>>;

/// The instant a month starts in Paris, as stored (UTC).
pub fn month_start(month: Month) -> NaiveDateTime {
    let midnight = month
        .first_day()
        .and_hms_opt(0, 0, 0)
        .expect("midnight is a time");
    chrono_tz::Europe::Paris
        .from_local_datetime(&midnight)
        .earliest()
        .expect("midnight exists in Paris (the clocks change at night)")
        .naive_utc()
}

/// Whether `month` has ended at `now` (in Paris).
pub fn has_ended(month: Month, now: DateTime<Utc>) -> bool {
    now.naive_utc() >= month_start(month.next())
}

/// Months of unix times, by binary search over the starts of the months
/// around the release's (older times through the time zone).
struct Months {
    starts: Vec<i64>,
    months: Vec<Month>,
}

impl Months {
    fn before(last: Month, count: usize) -> Self {
        let mut months = vec![last.next()];
        while months.len() <= count {
            let earlier = months.last().expect("one month").previous();
            months.push(earlier);
        }
        months.reverse();
        let starts = months
            .iter()
            .map(|m| month_start(*m).and_utc().timestamp())
            .collect();
        Months { starts, months }
    }

    fn of(&self, at: i64) -> Month {
        let i = self.starts.partition_point(|start| *start <= at);
        if i == 0 || i == self.starts.len() {
            let at = DateTime::from_timestamp(at, 0).unwrap_or_default();
            return Month::of(at);
        }
        self.months[i - 1]
    }
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = BigInt)]
    g: i64,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    programme: String,
    #[diesel(sql_type = BigInt)]
    p: i64,
    #[diesel(sql_type = Text)]
    format: String,
}

#[derive(QueryableByName)]
struct SessionRow {
    #[diesel(sql_type = BigInt)]
    s: i64,
    #[diesel(sql_type = BigInt)]
    g: i64,
    #[diesel(sql_type = BigInt)]
    at: i64,
}

#[derive(QueryableByName)]
struct MemberRow {
    #[diesel(sql_type = BigInt)]
    p: i64,
    #[diesel(sql_type = BigInt)]
    g: i64,
    #[diesel(sql_type = BigInt)]
    at: i64,
}

#[derive(QueryableByName)]
struct QuestionRow {
    #[diesel(sql_type = BigInt)]
    p: i64,
    #[diesel(sql_type = BigInt)]
    s: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct TraceRow {
    /// 0: a section viewed, 1: a step reached, 2: a session joined.
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Text)]
    participant: String,
    /// The section, the programme's id or the session's id.
    #[diesel(sql_type = Text)]
    what: String,
    #[diesel(sql_type = BigInt)]
    step: i64,
    /// When a step was reached (else empty), as stored.
    #[diesel(sql_type = Text)]
    at: String,
}

#[derive(QueryableByName)]
struct AttendanceRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    what: String,
}

#[derive(QueryableByName)]
struct TargetRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What attendance and the traces say, per person (rowids), people who
/// objected left out.
#[derive(Default)]
struct Traces {
    /// (person, session) attended or joined, sessions that started before
    /// the end.
    attended: FastSet<(i64, i64)>,
    /// (person, programme, step) → the first time it was reached.
    steps: FastMap<(i64, i64, u16), NaiveDateTime>,
    /// The month's (section, person) pairs; sections interned in `sections`.
    viewers: FastSet<(u32, i64)>,
    sections: Vec<String>,
}

/// `id → rowid` of the rows a query found.
fn rowids(rows: Vec<TargetRow>) -> FastMap<String, i64> {
    rows.into_iter().map(|row| (row.id, row.n)).collect()
}

/// Reads attendance, and every usage trace that counts in one pass over
/// the table: the steps and sessions of every month up to `end`, the
/// sections of `[start, end)`. A plan through the event index would fetch
/// each table page once per kind of event; the scan reads each page once,
/// and the rows are streamed. People, programmes and sessions are matched
/// in memory against the rows the store holds (objectors left out, POL-26;
/// erased people are not there): in SQL, a lookup per trace cost more than
/// the scan itself.
fn scan_traces(
    conn: &mut SqliteConnection,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<Traces, StoreError> {
    let people = rowids(
        diesel::sql_query(
            "SELECT id, rowid AS n FROM participants WHERE objects_to_statistics = 0",
        )
        .load(conn)?,
    );
    let programmes = rowids(diesel::sql_query("SELECT id, rowid AS n FROM programmes").load(conn)?);
    let sessions = rowids(
        diesel::sql_query("SELECT id, rowid AS n FROM sessions WHERE starts_at < ?")
            .bind::<Timestamp, _>(end)
            .load(conn)?,
    );
    let mut traces = Traces::default();
    let attendance =
        diesel::sql_query("SELECT participant_id AS id, session_id AS what FROM attendance")
            .load_iter::<AttendanceRow, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in attendance {
        let row = row?;
        if let (Some(&person), Some(&session)) =
            (people.get(row.id.as_str()), sessions.get(row.what.as_str()))
        {
            traces.attended.insert((person, session));
        }
    }
    let rows = diesel::sql_query(
        "SELECT CASE t.event WHEN 'section.viewed' THEN 0 \
                             WHEN 'programme.step_reached' THEN 1 ELSE 2 END AS kind, \
                t.participant_id AS participant, \
                COALESCE(CASE t.event WHEN 'section.viewed' THEN t.section \
                                      WHEN 'programme.step_reached' THEN t.programme_id \
                                      ELSE t.session_id END, '') AS what, \
                COALESCE(t.step, 0) AS step, \
                CASE WHEN t.event = 'programme.step_reached' THEN t.recorded_at ELSE '' END AS at \
         FROM technical_traces t NOT INDEXED \
         WHERE t.participant_id IS NOT NULL AND t.recorded_at < ? \
           AND ((t.event = 'section.viewed' AND t.recorded_at >= ?) \
                OR t.event IN ('programme.step_reached', 'session.joined'))",
    )
    .bind::<Timestamp, _>(end)
    .bind::<Timestamp, _>(start)
    .load_iter::<TraceRow, diesel::connection::DefaultLoadingMode>(conn)?;
    let mut section_of: FastMap<String, u32> = FastMap::default();
    for row in rows {
        let row = row?;
        let Some(&person) = people.get(row.participant.as_str()) else {
            continue;
        };
        match row.kind {
            0 => {
                let section = match section_of.get(row.what.as_str()) {
                    Some(&n) => n,
                    None => {
                        let n = section_of.len() as u32;
                        section_of.insert(row.what.clone(), n);
                        traces.sections.push(row.what);
                        n
                    }
                };
                traces.viewers.insert((section, person));
            }
            1 => {
                let (Some(&programme), Ok(step)) =
                    (programmes.get(row.what.as_str()), u16::try_from(row.step))
                else {
                    continue;
                };
                let Some(at) = stored_time(&row.at) else {
                    continue;
                };
                if step >= 1 {
                    traces
                        .steps
                        .entry((person, programme, step))
                        .and_modify(|first| *first = (*first).min(at))
                        .or_insert(at);
                }
            }
            _ => {
                if let Some(&session) = sessions.get(row.what.as_str()) {
                    traces.attended.insert((person, session));
                }
            }
        }
    }
    Ok(traces)
}

/// A timestamp as diesel stores it (`%Y-%m-%d %H:%M:%S%.f`).
fn stored_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
}

/// A group of the universe, interned.
struct Group {
    id: String,
    programme_rowid: i64,
    format: Format,
}

/// A session, interned: its group, its rank (1-based) and its month.
#[derive(Clone, Copy)]
struct Session {
    group: u32,
    index: u16,
    month: Month,
}

/// A confirmed place: the group, the month it began, the sessions reached.
struct Member {
    group: u32,
    enrolled: Month,
    reached: Vec<(u16, Month)>,
}

/// Counts the facts of `month`'s release at `now` (see the module doc).
pub fn count(
    conn: &mut SqliteConnection,
    month: Month,
    now: DateTime<Utc>,
) -> Result<Facts, StoreError> {
    let start = month_start(month);
    // Nothing after the month's end, nor after now.
    let end = month_start(month.next()).min(now.naive_utc());
    let months = Months::before(month, 24);

    // The universe: groups whose programme has a known format.
    let rows: Vec<GroupRow> = diesel::sql_query(
        "SELECT g.rowid AS g, g.id AS id, g.programme_id AS programme, p.rowid AS p, \
                p.format AS format \
         FROM workshop_groups g JOIN programmes p ON p.id = g.programme_id",
    )
    .load(conn)?;
    let mut groups: Vec<Group> = Vec::with_capacity(rows.len());
    let mut group_of_rowid: FastMap<i64, u32> =
        FastMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut programme_ids: FastMap<i64, String> = FastMap::default();
    for row in rows {
        let Some(format) = Format::parse(&row.format) else {
            continue;
        };
        group_of_rowid.insert(row.g, groups.len() as u32);
        programme_ids.entry(row.p).or_insert(row.programme);
        groups.push(Group {
            id: row.id,
            programme_rowid: row.p,
            format,
        });
    }

    // Sessions, ranked in their group by start time.
    let rows: Vec<SessionRow> = diesel::sql_query(
        "SELECT s.rowid AS s, g.rowid AS g, CAST(strftime('%s', s.starts_at) AS INTEGER) AS at \
         FROM sessions s JOIN workshop_groups g ON g.id = s.group_id \
         ORDER BY g.rowid, s.starts_at, s.id",
    )
    .load(conn)?;
    let mut sessions: FastMap<i64, Session> =
        FastMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut session_counts: Vec<u16> = vec![0; groups.len()];
    for row in rows {
        let Some(&group) = group_of_rowid.get(&row.g) else {
            continue;
        };
        let count = &mut session_counts[group as usize];
        *count = count.saturating_add(1);
        sessions.insert(
            row.s,
            Session {
                group,
                index: *count,
                month: months.of(row.at),
            },
        );
    }
    let scheduled: FastSet<u32> = sessions
        .values()
        .filter(|s| s.month == month)
        .map(|s| s.group)
        .collect();

    // Confirmed places of people who did not object (POL-26).
    let rows: Vec<MemberRow> = diesel::sql_query(
        "SELECT p.rowid AS p, g.rowid AS g, \
                CAST(strftime('%s', COALESCE(e.decided_at, e.requested_at)) AS INTEGER) AS at \
         FROM enrolments e \
         JOIN participants p ON p.id = e.participant_id \
         JOIN workshop_groups g ON g.id = e.group_id \
         WHERE e.status = 'confirmed' AND p.objects_to_statistics = 0",
    )
    .load(conn)?;
    let mut members: Vec<Member> = Vec::with_capacity(rows.len());
    let mut member_of: FastMap<(i64, u32), u32> =
        FastMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut member_in_programme: FastMap<(i64, i64), u32> =
        FastMap::with_capacity_and_hasher(rows.len(), Default::default());
    for row in rows {
        let Some(&group) = group_of_rowid.get(&row.g) else {
            continue;
        };
        let index = members.len() as u32;
        if let std::collections::hash_map::Entry::Vacant(entry) = member_of.entry((row.p, group)) {
            entry.insert(index);
        } else {
            continue;
        }
        member_in_programme
            .entry((row.p, groups[group as usize].programme_rowid))
            .or_insert(index);
        members.push(Member {
            group,
            enrolled: months.of(row.at),
            reached: Vec::new(),
        });
    }

    // Attendance (rows, and the website's `session.joined` traces) and
    // the website's other events.
    let traces = scan_traces(conn, start, end)?;
    // The month's parts per (person, format): 0 absent, 1 attended, 2 asked.
    let mut parts: FastMap<(i64, Format), u8> = FastMap::default();
    for &(person, session) in &traces.attended {
        let Some(session) = sessions.get(&session) else {
            continue;
        };
        let Some(&member) = member_of.get(&(person, session.group)) else {
            continue;
        };
        members[member as usize]
            .reached
            .push((session.index, session.month));
        if session.month == month {
            let format = groups[session.group as usize].format;
            let part = parts.entry((person, format)).or_insert(1);
            *part = (*part).max(1);
        }
    }

    // Steps the website saw reached, each at its first trace.
    for (&(person, programme, step), at) in &traces.steps {
        let Some(&member) = member_in_programme.get(&(person, programme)) else {
            continue;
        };
        members[member as usize]
            .reached
            .push((step, months.of(at.and_utc().timestamp())));
    }

    // The funnel's first reaches, every month up to the release's.
    let mut reached: BTreeMap<(String, Step, Month), u64> = BTreeMap::new();
    let mut counts: FastMap<(u32, Step, Month), u64> = FastMap::default();
    for member in &members {
        let sessions = session_counts[member.group as usize];
        for (step, at) in first_reaches(member.enrolled, &member.reached, sessions) {
            if at <= month {
                *counts.entry((member.group, step, at)).or_default() += 1;
            }
        }
    }
    for ((group, step, at), n) in counts {
        reached.insert((groups[group as usize].id.clone(), step, at), n);
    }

    // The month's formats: everyone placed in a group with a session in
    // the month (placed by then), then who attended and who asked.
    for (&(person, group), &member) in &member_of {
        if scheduled.contains(&group) && members[member as usize].enrolled <= month {
            parts
                .entry((person, groups[group as usize].format))
                .or_insert(0);
        }
    }
    let rows: Vec<QuestionRow> = diesel::sql_query(
        "SELECT p.rowid AS p, s.rowid AS s, COUNT(*) AS n FROM questions q \
         JOIN participants p ON p.id = q.participant_id \
         JOIN sessions s ON s.id = q.session_id \
         WHERE q.asked_at >= ? AND q.asked_at < ? AND p.objects_to_statistics = 0 \
         GROUP BY p.rowid, s.rowid",
    )
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .load(conn)?;
    let mut questions: BTreeMap<Format, u64> = BTreeMap::new();
    for row in rows {
        let Some(session) = sessions.get(&row.s) else {
            continue;
        };
        if !member_of.contains_key(&(row.p, session.group)) {
            continue;
        }
        let format = groups[session.group as usize].format;
        parts.insert((row.p, format), 2);
        *questions.entry(format).or_default() += row.n.max(0) as u64;
    }
    let mut format_parts: BTreeMap<(Format, FormatPart), u64> = BTreeMap::new();
    for ((_, format), part) in parts {
        let part = match part {
            0 => FormatPart::Absent,
            1 => FormatPart::Silent,
            _ => FormatPart::Asked,
        };
        *format_parts.entry((format, part)).or_default() += 1;
    }

    // The sections viewed in the month, by distinct people.
    let mut section_viewers: BTreeMap<String, u64> = BTreeMap::new();
    for &(section, _) in &traces.viewers {
        let key = &traces.sections[section as usize];
        if domain::statistics::is_section_key(key) {
            *section_viewers.entry(key.clone()).or_default() += 1;
        }
    }

    let first_month = reached.keys().map(|(_, _, m)| *m).min();
    let universe = Universe {
        groups: groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    g.id.clone(),
                    GroupInfo {
                        programme: programme_ids[&g.programme_rowid].clone(),
                        format: g.format,
                        sessions: session_counts[i],
                    },
                )
            })
            .collect(),
        first_month,
    };
    Ok(Facts {
        universe,
        section_viewers,
        reached,
        format_parts,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_at_midnight_in_paris() {
        let november = Month::parse("2026-11").unwrap();
        assert_eq!(
            month_start(november).to_string(),
            "2026-10-31 23:00:00",
            "winter time: UTC+1"
        );
        let july = Month::parse("2026-07").unwrap();
        assert_eq!(month_start(july).to_string(), "2026-06-30 22:00:00");
        let months = Months::before(november, 3);
        let at = |text: &str| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .unwrap()
                .and_utc()
                .timestamp()
        };
        assert_eq!(months.of(at("2026-10-31 22:59:59")).to_string(), "2026-10");
        assert_eq!(months.of(at("2026-10-31 23:00:00")).to_string(), "2026-11");
        assert_eq!(months.of(at("2026-12-31 23:00:00")).to_string(), "2027-01");
        assert_eq!(months.of(at("2020-03-10 12:00:00")).to_string(), "2020-03");
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 22, 59, 0).unwrap();
        assert!(!has_ended(november, now));
        assert!(has_ended(november, now + chrono::Duration::minutes(1)));
    }
}
