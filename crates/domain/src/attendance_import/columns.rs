//! Header rows: the accepted names of each column, matched without regard to case or
//! spacing, and the signals that tell one report from another.

use super::records::Record;
use super::ImportError;

/// A column the parsers read. `label` is how errors name it; `aliases` are the
/// accepted header names, lower-case with single spaces.
pub(super) struct Column {
    pub label: &'static str,
    pub aliases: &'static [&'static str],
}

macro_rules! column {
    ($name:ident, $label:literal, [$($alias:literal),+ $(,)?]) => {
        pub(super) const $name: Column = Column { label: $label, aliases: &[$($alias),+] };
    };
}

// Zoom participant report, table (old and current spellings).
column!(
    ZOOM_NAME,
    "Name (Original Name)",
    [
        "name (original name)",
        "user name (original name)",
        "participant",
        "name",
        "user name"
    ]
);
column!(ZOOM_EMAIL, "User Email", ["user email", "email", "e-mail"]);
column!(ZOOM_JOIN, "Join Time", ["join time"]);
column!(ZOOM_LEAVE, "Leave Time", ["leave time"]);
column!(ZOOM_WAITING, "In Waiting Room", ["in waiting room"]);

// Zoom participant report, meeting summary block.
column!(MEETING_ID, "Meeting ID", ["meeting id", "id", "webinar id"]);
column!(MEETING_TOPIC, "Topic", ["topic"]);
column!(
    MEETING_START,
    "Start Time",
    ["start time", "actual start time"]
);
column!(MEETING_END, "End Time", ["end time"]);

// Plain attendance CSV, English or French headers.
column!(PLAIN_NAME, "name", ["name", "nom"]);
column!(PLAIN_EMAIL, "email", ["email", "e-mail", "courriel"]);
column!(PLAIN_JOIN, "join", ["join", "arrivée", "arrivee"]);
column!(PLAIN_LEAVE, "leave", ["leave", "départ", "depart"]);

// Plain questions CSV.
column!(
    PLAIN_ASKED,
    "asked_at",
    ["asked_at", "asked at", "posée le", "posee le"]
);
column!(PLAIN_QUESTION, "question", ["question"]);

// Zoom webinar Q&A report, question table.
column!(QA_NAME, "Asker Name", ["asker name"]);
column!(QA_EMAIL, "Asker Email", ["asker email"]);
column!(QA_QUESTION, "Question", ["question"]);
column!(
    QA_TIME,
    "Question Time",
    [
        "question time",
        "time asked",
        "asked at",
        "time",
        "date/time"
    ]
);

/// `Join  TIME ` → `join time`.
pub(super) fn normalise(cell: &str) -> String {
    cell.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A header row: its normalised names and its width (trailing empty cells, as
/// spreadsheets pad rows, do not count).
pub(super) struct Header {
    pub line: usize,
    names: Vec<String>,
    pub width: usize,
}

impl Header {
    pub fn new(record: &Record) -> Header {
        let names: Vec<String> = record.fields.iter().map(|f| normalise(f)).collect();
        let width = names
            .iter()
            .rposition(|n| !n.is_empty())
            .map_or(0, |i| i + 1);
        Header {
            line: record.line,
            names,
            width,
        }
    }

    pub fn has(&self, alias: &str) -> bool {
        self.names.iter().any(|n| n == alias)
    }

    pub fn has_any(&self, aliases: &[&str]) -> bool {
        aliases.iter().any(|a| self.has(a))
    }

    /// The index of an optional column; two columns answering to it are an error.
    pub fn find(&self, column: &Column) -> Result<Option<usize>, ImportError> {
        let mut found = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| column.aliases.contains(&n.as_str()))
            .map(|(i, _)| i);
        let first = found.next();
        if found.next().is_some() {
            return Err(ImportError::new(
                self.line,
                format!("column \"{}\" appears more than once", column.label),
            ));
        }
        Ok(first)
    }

    /// The index of a required column, or an error naming it and its accepted names.
    pub fn require(&self, column: &Column) -> Result<usize, ImportError> {
        self.find(column)?.ok_or_else(|| {
            ImportError::new(
                self.line,
                format!(
                    "missing column \"{}\" (accepted names: {})",
                    column.label,
                    column.aliases.join(", ")
                ),
            )
        })
    }

    /// Checks that a data row has the header's width: fewer fields is an error, and so
    /// are extra fields unless they are empty padding.
    pub fn check_width(&self, record: &Record) -> Result<(), ImportError> {
        let found = record.fields.len();
        let extra_filled = record
            .fields
            .iter()
            .skip(self.width)
            .any(|f| !f.trim().is_empty());
        if found < self.width || extra_filled {
            let found = if extra_filled {
                record
                    .fields
                    .iter()
                    .rposition(|f| !f.trim().is_empty())
                    .map_or(found, |i| i + 1)
            } else {
                found
            };
            return Err(ImportError::new(
                record.line,
                format!(
                    "wrong number of fields: expected {} as in the header on line {}, found {}",
                    self.width, self.line, found
                ),
            ));
        }
        Ok(())
    }
}

/// What a header row looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    ZoomParticipantsTable,
    ZoomMeetingSummary,
    ZoomQuestionsTitle,
    ZoomQuestionsTable,
    PlainAttendance,
    PlainQuestions,
    Unknown,
}

pub(super) fn shape(header: &Header) -> Shape {
    let first_only = header.width == 1;
    if first_only && header.names[0] == "question and answer report" {
        Shape::ZoomQuestionsTitle
    } else if header.has_any(&["asker name", "asker email"]) {
        Shape::ZoomQuestionsTable
    } else if header.has_any(PLAIN_ASKED.aliases)
        || (header.has("question") && header.has_any(PLAIN_NAME.aliases))
    {
        Shape::PlainQuestions
    } else if header.has_any(&[
        "join time",
        "leave time",
        "name (original name)",
        "user name (original name)",
    ]) {
        Shape::ZoomParticipantsTable
    } else if header.has_any(PLAIN_JOIN.aliases) || header.has_any(PLAIN_LEAVE.aliases) {
        Shape::PlainAttendance
    } else if header.has_any(&["meeting id", "topic"]) {
        // Zoom's summary has no join or leave column; a plain file with a topic column
        // was caught above.
        Shape::ZoomMeetingSummary
    } else {
        Shape::Unknown
    }
}
