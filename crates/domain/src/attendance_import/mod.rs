//! Attendance and questions reports from videoconference services (POL-4), read from
//! the file the staff member picks (DC-7). Pure: bytes and a time zone in, rows out.
//!
//! # Formats
//!
//! The format is told from the headers; [`parse_report`] reads:
//!
//! - **Zoom participant report** ([`ReportKind::ZoomParticipants`]), as exported from
//!   Reports › Usage › Participants, with or without the meeting summary block
//!   ("Export with meeting data"). The summary (`Meeting ID,Topic,Start Time,…` or the
//!   current `Topic,ID,Host,Duration (minutes),Start time,…`) and its values row come
//!   first, then a blank line (or a row of empty cells), then the table
//!   `Name (Original Name),User Email,Join Time,Leave Time,…`. Accepted table names:
//!   `Name (Original Name)`, `User Name (Original Name)`, `Participant`, `Name`;
//!   `User Email`, `Email`; `Join Time`; `Leave Time`; optional `In Waiting Room`.
//!   Times: `MM/DD/YYYY hh:mm[:ss] AM/PM`, `MM/DD/YYYY HH:mm[:ss]`,
//!   `YYYY-MM-DD HH:mm[:ss]`, `Mon DD, YYYY HH:mm[:ss]` (day first instead of month
//!   first with [`SlashDateOrder::DayFirst`]). Someone who left and came back has one
//!   row per stay; every row is kept.
//! - **Plain attendance CSV** ([`ReportKind::PlainAttendance`]): `name,email,join,leave`
//!   or `nom,e-mail|email|courriel,arrivée|arrivee,départ|depart`, ISO 8601 times
//!   (`2026-11-04T10:31:02`, `2026-11-04 10:31`, with or without an offset or `Z`).
//! - **Zoom webinar Q&A report** ([`ReportKind::ZoomQuestions`]): the title line
//!   `Question and Answer Report`, the summary lines (ignored), then the question table
//!   `#,Question,Asker Name,Asker Email,…` with a time column (`Question Time`, `Time`,
//!   `Asked At`, `Time Asked`, `Date/Time`); the table header alone is also accepted.
//! - **Plain questions CSV** ([`ReportKind::PlainQuestions`]): `name,email,asked_at,question`
//!   or `nom,e-mail,posée le|posee le,question`, ISO 8601 times.
//!
//! Headers match without regard to case or repeated spaces; unknown columns are
//! ignored. The file may start with a UTF-8 byte-order mark, end its lines with CRLF or
//! LF, use `,` or `;` (whichever the header line has more of, outside quotes) and quote
//! fields (`""` inside quotes is a quote).
//!
//! Not read (refused with an error): Zoom's webinar *Attendee Report* (sections
//! `Host Details`, `Attendee Details`, …), a Q&A report without a per-question time
//! (a question's time is never invented), and files in another encoding than UTF-8
//! (such as Windows-1252 from an older spreadsheet).
//!
//! # Rules
//!
//! - All or nothing: one malformed row makes the whole file an error, and no row is
//!   returned.
//! - A header with no row after it is not an error: it gives zero rows.
//! - Times without an offset are local times in the zone given by the caller; every
//!   instant returned is UTC. A local time repeated when summer time ends is the
//!   earlier instant; a local time skipped when it starts is an error.
//! - E-mails are trimmed and lower-cased. An empty e-mail is allowed (the row cannot be
//!   matched to a person; [`Parsed::lines_without_email`] lists them); a non-empty one
//!   must look like an address.
//! - Errors name the 1-based physical line of the file and the problem (column, what
//!   was expected) and never quote a cell: cells are personal data and error messages
//!   may reach the logs (POL-22).

mod columns;
mod records;
mod times;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use columns::{Column, Header, Shape};
use records::Record;
use times::{Style, TimeProblem};

/// The kind of report a file was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub enum ReportKind {
    ZoomParticipants,
    PlainAttendance,
    ZoomQuestions,
    PlainQuestions,
}

/// How to read `aa/bb/YYYY` dates in Zoom reports. Zoom writes them month first;
/// a report re-saved by a spreadsheet in a French locale has them day first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SlashDateOrder {
    #[default]
    MonthFirst,
    DayFirst,
}

/// How to read a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// The zone of times written without an offset.
    pub zone: Tz,
    pub slash_dates: SlashDateOrder,
}

impl ImportOptions {
    /// Times in `zone`, `aa/bb/YYYY` dates month first (as Zoom writes them).
    pub fn new(zone: Tz) -> ImportOptions {
        ImportOptions {
            zone,
            slash_dates: SlashDateOrder::MonthFirst,
        }
    }
}

/// The meeting summary of a Zoom participant report. The host's e-mail and name that
/// Zoom puts there are not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct MeetingInfo {
    pub meeting_id: Option<String>,
    pub topic: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// One stay of one person in the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AttendanceRow {
    /// The physical line of the file (1-based).
    pub line: usize,
    pub name: String,
    /// Trimmed and lower-cased; empty when the report has none.
    pub email: String,
    pub joined_at: DateTime<Utc>,
    pub left_at: DateTime<Utc>,
    /// Zoom's `In Waiting Room` column: this interval was spent in the waiting room,
    /// not in the meeting. Always false for plain CSV files.
    pub in_waiting_room: bool,
}

/// One question asked through the webinar's tools.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct QuestionRow {
    /// The physical line of the file on which the row starts (1-based).
    pub line: usize,
    pub name: String,
    /// Trimmed and lower-cased; empty when the report has none.
    pub email: String,
    pub asked_at: DateTime<Utc>,
    pub text: String,
}

/// A whole file, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub enum Parsed {
    Attendance {
        kind: ReportKind,
        meeting: Option<MeetingInfo>,
        rows: Vec<AttendanceRow>,
    },
    Questions {
        kind: ReportKind,
        rows: Vec<QuestionRow>,
    },
}

impl Parsed {
    pub fn kind(&self) -> ReportKind {
        match self {
            Parsed::Attendance { kind, .. } | Parsed::Questions { kind, .. } => *kind,
        }
    }

    /// The lines of the rows without an e-mail, which cannot be matched to a person.
    pub fn lines_without_email(&self) -> Vec<usize> {
        match self {
            Parsed::Attendance { rows, .. } => rows
                .iter()
                .filter(|r| r.email.is_empty())
                .map(|r| r.line)
                .collect(),
            Parsed::Questions { rows, .. } => rows
                .iter()
                .filter(|r| r.email.is_empty())
                .map(|r| r.line)
                .collect(),
        }
    }
}

/// Why a file was refused: its physical line (1-based) and the problem. Never holds a
/// cell of the file (POL-22).
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct ImportError {
    pub line: usize,
    pub problem: String,
}

impl ImportError {
    fn new(line: usize, problem: impl Into<String>) -> ImportError {
        ImportError {
            line,
            problem: problem.into(),
        }
    }
}

/// Detects the format from the headers and parses the whole file; times without an
/// offset are in `zone`, `aa/bb/YYYY` dates month first. See the module documentation
/// for the formats and rules; a header without rows gives zero rows.
pub fn parse_report(bytes: &[u8], zone: Tz) -> Result<Parsed, ImportError> {
    parse_report_with(bytes, &ImportOptions::new(zone))
}

/// [`parse_report`] with explicit options.
pub fn parse_report_with(bytes: &[u8], options: &ImportOptions) -> Result<Parsed, ImportError> {
    let text = records::decode(bytes)?;
    let records = records::read_records(text, records::detect_delimiter(text))?;
    let mut rest = records.iter().filter(|r| !r.is_blank());
    let first = rest
        .next()
        .ok_or_else(|| ImportError::new(1, "empty file: expected a header line"))?;
    let header = Header::new(first);
    let reader = Reader { options, rest };
    match columns::shape(&header) {
        Shape::ZoomParticipantsTable => reader.zoom_participants(header, None),
        Shape::ZoomMeetingSummary => reader.zoom_with_summary(header),
        Shape::ZoomQuestionsTitle => reader.zoom_questions_after_title(header.line),
        Shape::ZoomQuestionsTable => reader.zoom_questions(header),
        Shape::PlainAttendance => reader.plain_attendance(header),
        Shape::PlainQuestions => reader.plain_questions(header),
        Shape::Unknown => Err(ImportError::new(
            header.line,
            "unrecognised header: expected a Zoom participant report, a Zoom Q&A report, \
             a CSV with the columns name,email,join,leave (or nom,e-mail,arrivée,départ) \
             or a CSV with the columns name,email,asked_at,question \
             (or nom,e-mail,posée le,question)",
        )),
    }
}

/// The records after the first header, and how to read times.
struct Reader<'a, I: Iterator<Item = &'a Record>> {
    options: &'a ImportOptions,
    rest: I,
}

impl<'a, I: Iterator<Item = &'a Record>> Reader<'a, I> {
    fn zoom_style(&self) -> Style {
        Style::Zoom(self.options.slash_dates)
    }

    fn zoom_with_summary(mut self, summary: Header) -> Result<Parsed, ImportError> {
        let values = self.rest.next().ok_or_else(|| {
            ImportError::new(
                summary.line,
                "the meeting summary has no values row and no participants table after it",
            )
        })?;
        if columns::shape(&Header::new(values)) == Shape::ZoomParticipantsTable {
            return Err(ImportError::new(
                values.line,
                "the meeting summary has no values row: expected the meeting's values \
                 before the participants table",
            ));
        }
        summary.check_width(values)?;
        let cell = |column: &Column| -> Result<Option<&str>, ImportError> {
            Ok(summary
                .find(column)?
                .map(|i| values.fields[i].trim())
                .filter(|v| !v.is_empty()))
        };
        let style = self.zoom_style();
        let zone = self.options.zone;
        let time = |column: &Column| -> Result<Option<DateTime<Utc>>, ImportError> {
            cell(column)?
                .map(|v| instant(v, style, zone, values.line, column))
                .transpose()
        };
        let meeting = MeetingInfo {
            meeting_id: cell(&columns::MEETING_ID)?.map(str::to_owned),
            topic: cell(&columns::MEETING_TOPIC)?.map(str::to_owned),
            starts_at: time(&columns::MEETING_START)?,
            ends_at: time(&columns::MEETING_END)?,
        };
        let table = self.rest.next().ok_or_else(|| {
            ImportError::new(
                values.line,
                "the meeting summary is not followed by a participants table",
            )
        })?;
        let table = Header::new(table);
        if columns::shape(&table) != Shape::ZoomParticipantsTable {
            return Err(ImportError::new(
                table.line,
                "expected the participants table header (Name (Original Name), User Email, \
                 Join Time, Leave Time) after the meeting summary",
            ));
        }
        self.zoom_participants(table, Some(meeting))
    }

    fn zoom_participants(
        self,
        header: Header,
        meeting: Option<MeetingInfo>,
    ) -> Result<Parsed, ImportError> {
        let spec = AttendanceColumns {
            name: &columns::ZOOM_NAME,
            email: &columns::ZOOM_EMAIL,
            join: &columns::ZOOM_JOIN,
            leave: &columns::ZOOM_LEAVE,
            waiting: Some(&columns::ZOOM_WAITING),
        };
        let style = self.zoom_style();
        let rows = self.attendance_rows(&header, &spec, style)?;
        Ok(Parsed::Attendance {
            kind: ReportKind::ZoomParticipants,
            meeting,
            rows,
        })
    }

    fn plain_attendance(self, header: Header) -> Result<Parsed, ImportError> {
        let spec = AttendanceColumns {
            name: &columns::PLAIN_NAME,
            email: &columns::PLAIN_EMAIL,
            join: &columns::PLAIN_JOIN,
            leave: &columns::PLAIN_LEAVE,
            waiting: None,
        };
        let rows = self.attendance_rows(&header, &spec, Style::Iso)?;
        Ok(Parsed::Attendance {
            kind: ReportKind::PlainAttendance,
            meeting: None,
            rows,
        })
    }

    fn attendance_rows(
        self,
        header: &Header,
        spec: &AttendanceColumns,
        style: Style,
    ) -> Result<Vec<AttendanceRow>, ImportError> {
        let name = header.require(spec.name)?;
        let email = header.require(spec.email)?;
        let join = header.require(spec.join)?;
        let leave = header.require(spec.leave)?;
        let waiting = match spec.waiting {
            Some(column) => header.find(column)?.map(|i| (i, column)),
            None => None,
        };
        let zone = self.options.zone;
        self.rest
            .map(|record| {
                header.check_width(record)?;
                let f = &record.fields;
                let joined_at = instant(&f[join], style, zone, record.line, spec.join)?;
                let left_at = instant(&f[leave], style, zone, record.line, spec.leave)?;
                if left_at < joined_at {
                    return Err(ImportError::new(
                        record.line,
                        format!("\"{}\" is before \"{}\"", spec.leave.label, spec.join.label),
                    ));
                }
                let in_waiting_room = match waiting {
                    Some((i, column)) => yes_no(&f[i], record.line, column)?,
                    None => false,
                };
                Ok(AttendanceRow {
                    line: record.line,
                    name: f[name].trim().to_owned(),
                    email: email_cell(&f[email], record.line, spec.email)?,
                    joined_at,
                    left_at,
                    in_waiting_room,
                })
            })
            .collect()
    }

    fn zoom_questions_after_title(mut self, title_line: usize) -> Result<Parsed, ImportError> {
        // The summary lines between the title and the table are not needed.
        for record in self.rest.by_ref() {
            let header = Header::new(record);
            if columns::shape(&header) == Shape::ZoomQuestionsTable {
                return self.zoom_questions(header);
            }
        }
        Err(ImportError::new(
            title_line,
            "Zoom Q&A report without a question table: expected a header with the columns \
             Question, Asker Name, Asker Email and Question Time",
        ))
    }

    fn zoom_questions(self, header: Header) -> Result<Parsed, ImportError> {
        let spec = QuestionColumns {
            name: &columns::QA_NAME,
            email: &columns::QA_EMAIL,
            asked: &columns::QA_TIME,
            text: &columns::QA_QUESTION,
        };
        let style = self.zoom_style();
        let rows = self.question_rows(&header, &spec, style)?;
        Ok(Parsed::Questions {
            kind: ReportKind::ZoomQuestions,
            rows,
        })
    }

    fn plain_questions(self, header: Header) -> Result<Parsed, ImportError> {
        let spec = QuestionColumns {
            name: &columns::PLAIN_NAME,
            email: &columns::PLAIN_EMAIL,
            asked: &columns::PLAIN_ASKED,
            text: &columns::PLAIN_QUESTION,
        };
        let rows = self.question_rows(&header, &spec, Style::Iso)?;
        Ok(Parsed::Questions {
            kind: ReportKind::PlainQuestions,
            rows,
        })
    }

    fn question_rows(
        self,
        header: &Header,
        spec: &QuestionColumns,
        style: Style,
    ) -> Result<Vec<QuestionRow>, ImportError> {
        let name = header.require(spec.name)?;
        let email = header.require(spec.email)?;
        let asked = header.require(spec.asked)?;
        let text = header.require(spec.text)?;
        let zone = self.options.zone;
        self.rest
            .map(|record| {
                header.check_width(record)?;
                let f = &record.fields;
                let question = f[text].trim();
                if question.is_empty() {
                    return Err(ImportError::new(
                        record.line,
                        format!("column \"{}\" is empty", spec.text.label),
                    ));
                }
                Ok(QuestionRow {
                    line: record.line,
                    name: f[name].trim().to_owned(),
                    email: email_cell(&f[email], record.line, spec.email)?,
                    asked_at: instant(&f[asked], style, zone, record.line, spec.asked)?,
                    text: question.to_owned(),
                })
            })
            .collect()
    }
}

struct AttendanceColumns {
    name: &'static Column,
    email: &'static Column,
    join: &'static Column,
    leave: &'static Column,
    waiting: Option<&'static Column>,
}

struct QuestionColumns {
    name: &'static Column,
    email: &'static Column,
    asked: &'static Column,
    text: &'static Column,
}

/// A time cell as a UTC instant, or an error naming the line, the column and what
/// was expected (never the cell).
fn instant(
    cell: &str,
    style: Style,
    zone: Tz,
    line: usize,
    column: &Column,
) -> Result<DateTime<Utc>, ImportError> {
    times::parse_instant(cell, style, zone).map_err(|problem| {
        let label = column.label;
        ImportError::new(
            line,
            match problem {
                TimeProblem::Empty => {
                    format!("column \"{label}\" is empty: expected {}", style.expected())
                }
                TimeProblem::Unreadable => {
                    format!("column \"{label}\": expected {}", style.expected())
                }
                TimeProblem::Nonexistent => format!(
                    "column \"{label}\": this local time does not exist in {} \
                     (it falls in the hour skipped when summer time starts)",
                    zone.name()
                ),
            },
        )
    })
}

/// A trimmed, lower-cased e-mail, or empty. A non-empty cell must look like an address:
/// no spaces, one `@`, a dot in the domain.
fn email_cell(cell: &str, line: usize, column: &Column) -> Result<String, ImportError> {
    let email = cell.trim().to_lowercase();
    if email.is_empty() {
        return Ok(email);
    }
    let looks_right = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if looks_right {
        Ok(email)
    } else {
        Err(ImportError::new(
            line,
            format!(
                "column \"{}\": expected an e-mail address or an empty cell",
                column.label
            ),
        ))
    }
}

/// Zoom's Yes/No cells (empty is no).
fn yes_no(cell: &str, line: usize, column: &Column) -> Result<bool, ImportError> {
    match columns::normalise(cell).as_str() {
        "yes" | "y" | "true" | "oui" => Ok(true),
        "no" | "n" | "false" | "non" | "" => Ok(false),
        _ => Err(ImportError::new(
            line,
            format!(
                "column \"{}\": expected Yes, No or an empty cell",
                column.label
            ),
        )),
    }
}
