//! The access export itself: what is held about the person, table by table
//! ([`Category`] of typed [`Value`]s), with the art. 15 information, and the
//! checks the documents rely on. The renderers are in the sibling modules.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};

use super::art15::Art15Info;
use super::format::iso_utc;

/// Version of the JSON document of an access export (`donnees.json`). Bump it
/// whenever the shape of the document changes.
pub const EXPORT_SCHEMA_VERSION: &str = "moniravique.access-export/1";

/// Why an export could not be built. Messages name tables, columns and
/// positions, never a value (they may reach logs, POL-22).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("category key {0:?} is empty or not made of ascii letters, digits, '_' and '-'")]
    UnsafeCategoryKey(String),
    #[error("category {0:?} appears twice")]
    DuplicateCategory(String),
    #[error("category {category:?} has an empty or repeated column name at position {position}")]
    BadColumn { category: String, position: usize },
    #[error("category {category:?}, row {row}: {found} values for {expected} columns")]
    RowWidth {
        category: String,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("zip archive: {0}")]
    Io(#[from] std::io::Error),
}

// ---------------------------------------------------------------------------
// Data held about the person
// ---------------------------------------------------------------------------

/// One cell of a category. Serialises to JSON null, string, number, boolean,
/// and for a date-time an ISO 8601 UTC string ending in `Z`
/// (`2026-11-25T13:30:00Z`; fractional seconds only when present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Integer(i64),
    Bool(bool),
    /// A stored timestamp, UTC.
    DateTime(NaiveDateTime),
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Text(text) => serializer.serialize_str(text),
            Value::Integer(number) => serializer.serialize_i64(*number),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::DateTime(at) => serializer.serialize_str(&iso_utc(*at)),
        }
    }
}

/// Everything held about the person in one table (POL-23: profile, activity
/// history, community contributions, exchanges with the team...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Table name, e.g. `attendance`; also the CSV file name (`csv/attendance.csv`).
    pub key: String,
    pub title_fr: String,
    pub title_en: String,
    pub columns: Vec<String>,
    /// One row per record, values in the order of `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl Category {
    /// Number of cells a row is laid out with: the columns, or more if a row
    /// is wider (which [`AccessExport::validate`] refuses; the documents still
    /// show every value rather than drop one).
    pub(super) fn width(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .fold(self.columns.len(), usize::max)
    }

    pub(super) fn column_name(&self, index: usize) -> Cow<'_, str> {
        match self.columns.get(index) {
            Some(name) => Cow::Borrowed(name.as_str()),
            None => Cow::Owned(format!("column_{}", index + 1)),
        }
    }
}

/// Everything held about one person, with the art. 15 information: the
/// answer to an access (POL-23) or portability (POL-27) request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessExport {
    /// Always [`EXPORT_SCHEMA_VERSION`].
    pub schema: &'static str,
    /// When the export was produced, UTC.
    pub generated_at: NaiveDateTime,
    /// Reference of the rights request it answers.
    pub request_ref: String,
    /// Pseudonymous id of the person (the participant id).
    pub subject_ref: String,
    pub categories: Vec<Category>,
    pub info: Art15Info,
}

impl AccessExport {
    /// An export with the current schema version.
    pub fn new(
        generated_at: NaiveDateTime,
        request_ref: impl Into<String>,
        subject_ref: impl Into<String>,
        categories: Vec<Category>,
        info: Art15Info,
    ) -> Self {
        Self {
            schema: EXPORT_SCHEMA_VERSION,
            generated_at,
            request_ref: request_ref.into(),
            subject_ref: subject_ref.into(),
            categories,
            info,
        }
    }

    /// Checks what the documents rely on: category keys safe as file names and
    /// unique, column names present and unique, every row exactly as wide as
    /// the columns. [`AccessExport::to_zip`] refuses an export that fails.
    pub fn validate(&self) -> Result<(), ExportError> {
        let mut keys = HashSet::new();
        for category in &self.categories {
            let key = category.key.as_str();
            let safe = !key.is_empty()
                && key.len() <= 64
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !safe {
                return Err(ExportError::UnsafeCategoryKey(key.to_owned()));
            }
            if !keys.insert(key) {
                return Err(ExportError::DuplicateCategory(key.to_owned()));
            }
            let mut columns = HashSet::new();
            for (position, column) in category.columns.iter().enumerate() {
                if column.trim().is_empty() || !columns.insert(column.as_str()) {
                    return Err(ExportError::BadColumn {
                        category: key.to_owned(),
                        position,
                    });
                }
            }
            for (row, values) in category.rows.iter().enumerate() {
                if values.len() != category.columns.len() {
                    return Err(ExportError::RowWidth {
                        category: key.to_owned(),
                        row,
                        expected: category.columns.len(),
                        found: values.len(),
                    });
                }
            }
        }
        Ok(())
    }
}
