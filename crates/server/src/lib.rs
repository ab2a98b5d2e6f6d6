//! The moniravique central server (DC-5, issue 5, `../shared/design/sync.md`):
//! an HTTPS-only API (rustls, TLS 1.3, POL-17) over the same SQLCipher store
//! the laptops use (POL-19), device registration with argon2id sign-in
//! (POL-18), bearer tokens stored hashed, and the admin commands of the
//! `moniravique-server` binary. Logs carry ids and codes only (POL-22).
#![forbid(unsafe_code)]

pub mod admin;
pub mod api;
pub mod config;
pub mod devices;
pub mod doctor;
pub mod enrolment;
pub mod error;
pub mod helloasso;
pub mod intake;
pub mod keys;
pub mod logging;
pub mod mail;
pub mod service;
pub mod state;
pub mod statistics;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use api::router;
pub use error::{ApiError, ServerError};
pub use state::AppState;
pub use tls::Tls;

use std::future::Future;
use std::time::Duration;

/// Serves the API over TLS on an already bound listener until an I/O error.
/// Tests bind `127.0.0.1:0` and read the port from the listener first.
pub async fn serve_on(
    listener: std::net::TcpListener,
    tls: Tls,
    state: AppState,
) -> Result<(), ServerError> {
    serve_until(listener, tls, state, std::future::pending()).await
}

/// Like [`serve_on`], and stops gracefully (in-flight requests get 10 s)
/// once `shutdown` completes.
pub async fn serve_until(
    listener: std::net::TcpListener,
    tls: Tls,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let mut server = axum_server::from_tcp_rustls(listener, tls.rustls_config())
        .map_err(|e| ServerError::io("cannot listen on the socket", e))?
        .handle(handle)
        .http1_only();
    // A client that opens a connection and never finishes its headers is dropped.
    server
        .http_builder()
        .http1()
        .header_read_timeout(Some(Duration::from_secs(30)));
    server
        .serve(router(state).into_make_service())
        .await
        .map_err(|e| ServerError::io("the server stopped", e))
}
