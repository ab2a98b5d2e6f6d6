//! The one error shape the window receives: `{ code, details }`. The window
//! switches on `code` and writes the sentence in the user's language from it
//! and its details (ids, dates, counts); nothing here is text for people.
//! The log line (`Display`) adds a developer note that never holds personal
//! data either (POL-22): table and constraint names, error kinds, codes.

use domain::{Details, ErrorCode};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct UiError {
    pub code: ErrorCode,
    pub details: Details,
    /// For the log only: never sent to the window.
    #[serde(skip)]
    pub note: String,
}

impl UiError {
    pub fn new(code: ErrorCode) -> Self {
        UiError {
            code,
            details: Details::new(),
            note: String::new(),
        }
    }

    /// Adds a developer note for the log (no personal data).
    pub fn noting(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// Adds a detail the window may put in its sentence.
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.details.insert(name.to_owned(), value.to_string());
        self
    }

    pub fn not_signed_in() -> Self {
        UiError::new(ErrorCode::NotSignedIn)
    }

    /// A file could not be read or written: the kind of failure, never the path's content.
    pub fn io(error: &std::io::Error) -> Self {
        UiError::new(ErrorCode::Io).with("kind", format!("{:?}", error.kind()))
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.details.is_empty() {
            write!(f, " {:?}", self.details)?;
        }
        if !self.note.is_empty() {
            write!(f, ": {}", self.note)?;
        }
        Ok(())
    }
}

impl From<store::StoreError> for UiError {
    fn from(error: store::StoreError) -> Self {
        UiError {
            code: error.code(),
            details: error.details(),
            note: error.to_string(),
        }
    }
}

impl From<ErrorCode> for UiError {
    fn from(code: ErrorCode) -> Self {
        UiError::new(code)
    }
}

impl From<store::auth::SignInError> for UiError {
    fn from(error: store::auth::SignInError) -> Self {
        use store::auth::SignInError;
        match error {
            SignInError::BadCredentials => UiError::new(ErrorCode::BadCredentials),
            SignInError::SlowedDown { until } => {
                UiError::new(ErrorCode::SlowedDown).with("until", until.to_rfc3339())
            }
            SignInError::Locked { until } => {
                UiError::new(ErrorCode::Locked).with("until", until.to_rfc3339())
            }
            SignInError::Store(inner) => inner.into(),
        }
    }
}
