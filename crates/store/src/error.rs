//! Errors of store operations. They carry a code ([`domain::ErrorCode`]) and
//! structured details (ids, dates, counts), never personal data (POL-22) and
//! never a sentence for people: the window writes that from the code.

use domain::{Denied, Details, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    NotPermitted(#[from] Denied),
    #[error("not permitted: participant {0} is outside your scope")]
    OutOfScope(String),
    #[error("not permitted: group {0} is not one you lead")]
    OutOfScopeGroup(String),
    /// A business rule said no; `code` is stable for the window, the details
    /// name ids, dates and counts only.
    #[error("refused: {code} {details:?}")]
    Refused { code: ErrorCode, details: Details },
    #[error("not found: {0}")]
    NotFound(String),
    /// Input the window should not have sent (its forms check the same rules).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// A refusal by `code`, without details.
    pub fn refused(code: ErrorCode) -> Self {
        StoreError::Refused {
            code,
            details: Details::new(),
        }
    }

    /// Adds a detail to a refusal (other errors are returned unchanged).
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        if let StoreError::Refused { details, .. } = &mut self {
            details.insert(name.to_owned(), value.to_string());
        }
        self
    }

    /// Stable code the window switches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::NotPermitted(_)
            | StoreError::OutOfScope(_)
            | StoreError::OutOfScopeGroup(_) => ErrorCode::NotPermitted,
            StoreError::Refused { code, .. } => *code,
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            StoreError::Database(_) => ErrorCode::Store,
        }
    }

    /// The details the window may show (ids only).
    pub fn details(&self) -> Details {
        match self {
            StoreError::Refused { details, .. } => details.clone(),
            _ => Details::new(),
        }
    }

    /// A refusal decided by a rule about the data: audited as an attempt
    /// (POL-21). Bad input, missing rows and failures are not.
    pub fn is_refusal(&self) -> bool {
        match self {
            StoreError::NotPermitted(_)
            | StoreError::OutOfScope(_)
            | StoreError::OutOfScopeGroup(_) => true,
            StoreError::Refused { code, .. } => code.is_refusal(),
            _ => false,
        }
    }
}

impl From<ErrorCode> for StoreError {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::InvalidInput => StoreError::InvalidInput("invalid value".into()),
            ErrorCode::NotFound => StoreError::NotFound("not found".into()),
            code => StoreError::refused(code),
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        // diesel's messages name constraints and tables, never bound values.
        StoreError::Database(error.to_string())
    }
}
