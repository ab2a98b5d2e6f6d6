//! The one error shape the UI receives: `{ code, message }`. The UI switches on
//! `code`; messages carry no personal data (POL-22).

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UiError {
    pub code: &'static str,
    pub message: String,
}

impl UiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        UiError {
            code,
            message: message.into(),
        }
    }

    pub fn not_signed_in() -> Self {
        UiError::new("not_signed_in", "sign in first")
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<store::StoreError> for UiError {
    fn from(error: store::StoreError) -> Self {
        UiError::new(error.code(), error.to_string())
    }
}

impl From<store::auth::SignInError> for UiError {
    fn from(error: store::auth::SignInError) -> Self {
        use store::auth::SignInError;
        let code = match &error {
            SignInError::BadCredentials => "bad_credentials",
            SignInError::SlowedDown { .. } => "slowed_down",
            SignInError::Locked { .. } => "locked",
            SignInError::Store(inner) => inner.code(),
        };
        let message = match &error {
            SignInError::SlowedDown { until } | SignInError::Locked { until } => {
                domain::time::paris_fr(*until)
            }
            other => other.to_string(),
        };
        UiError::new(code, message)
    }
}
