//! Errors of store operations. Messages never contain personal data: they name
//! roles, categories, tables and pseudonymous ids only (POL-22).

use domain::Denied;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    NotPermitted(#[from] Denied),
    #[error("not permitted: participant {0} is outside your scope")]
    OutOfScope(String),
    #[error("not permitted: group {0} is not one you lead")]
    OutOfScopeGroup(String),
    /// A business rule said no; `code` is stable for the UI, the message names ids only.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// Stable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotPermitted(_)
            | StoreError::OutOfScope(_)
            | StoreError::OutOfScopeGroup(_) => "not_permitted",
            StoreError::Refused { code, .. } => code,
            StoreError::NotFound(_) => "not_found",
            StoreError::InvalidInput(_) => "invalid_input",
            StoreError::Database(_) => "store",
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        // diesel's messages name constraints and tables, never bound values.
        StoreError::Database(error.to_string())
    }
}
