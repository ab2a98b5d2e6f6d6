//! Sync between the laptops and the central server (DC-5, issue 5,
//! `../shared/design/sync.md`): named operations ([`ops`]), the laptop's
//! outbox and rebase ([`local`]), the partial replica each role may hold
//! ([`replica`]), the server's push and pull ([`server`]) and the wire types
//! ([`wire`]). No Tauri, no HTTP server here.
#![forbid(unsafe_code)]

pub mod client;
pub mod enrol;
pub mod http;
pub mod local;
pub mod ops;
pub mod replica;
pub mod server;
pub mod wire;

pub use ops::Operation;
