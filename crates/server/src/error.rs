//! Errors. [`ApiError`] is what an HTTP client sees: a status and an
//! [`ErrorBody`] `{code, message}` whose code is stable. [`ServerError`] is
//! what start-up and the admin commands report. Neither ever carries a
//! user name, a name, an e-mail, a password or a token (POL-22).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use store::{OpenError, StoreError};
use sync::wire::{codes, ErrorBody};

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// Codes of this server beyond [`sync::wire::codes`].
pub mod server_codes {
    /// The device id is registered to another staff account.
    pub const DEVICE_CONFLICT: &str = "device_conflict";
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const UNSUPPORTED_ENCODING: &str = "unsupported_encoding";
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::MALFORMED, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, codes::TOO_LARGE, message)
    }

    pub fn protocol(got: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::PROTOCOL,
            format!(
                "protocol {got} is not supported; this server speaks protocol {}",
                sync::wire::PROTOCOL
            ),
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            "a valid device token is required (Authorization: Bearer ...)",
        )
    }

    pub fn server() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::SERVER,
            "the server could not complete the request; try again later",
        )
    }

    /// Maps a store error of push, pull or audit push. Store messages name
    /// roles, categories, tables and pseudonymous ids only.
    pub fn from_store(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::NotPermitted(_)
            | StoreError::OutOfScope(_)
            | StoreError::OutOfScopeGroup(_) => {
                Self::new(StatusCode::FORBIDDEN, error.code().as_str(), message)
            }
            StoreError::InvalidInput(_) => {
                Self::new(StatusCode::BAD_REQUEST, error.code().as_str(), message)
            }
            StoreError::NotFound(_) => {
                Self::new(StatusCode::NOT_FOUND, error.code().as_str(), message)
            }
            // A business rule said no to the whole request.
            StoreError::Refused { code, .. } => {
                Self::new(StatusCode::CONFLICT, code.as_str(), message)
            }
            StoreError::Database(_) => {
                tracing::error!(code = %error.code(), detail = %message, "store error");
                Self::server()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                code = self.code,
                "request failed"
            );
        } else {
            tracing::info!(
                status = self.status.as_u16(),
                code = self.code,
                "request refused"
            );
        }
        let body = ErrorBody {
            code: self.code.to_owned(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Why start-up or an admin command failed. Messages name paths, ids and
/// codes only.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A wrong or missing command-line argument.
    #[error("{0}")]
    Usage(String),
    /// The store key could not be read, or is unsafe to use.
    #[error("{0}")]
    Key(String),
    #[error("cannot open the store [{code}]: {source}", code = .0.code(), source = .0)]
    Open(#[from] OpenError),
    #[error("store error [{code}]: {source}", code = .0.code(), source = .0)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Device(#[from] crate::devices::DeviceError),
    #[error("{what}: {detail}")]
    Io { what: String, detail: String },
    #[error("refusing to overwrite {0}")]
    Exists(std::path::PathBuf),
    #[error("TLS: {0}")]
    Tls(String),
}

impl ServerError {
    pub fn io(what: impl std::fmt::Display, error: std::io::Error) -> Self {
        ServerError::Io {
            what: what.to_string(),
            detail: error.to_string(),
        }
    }
}
