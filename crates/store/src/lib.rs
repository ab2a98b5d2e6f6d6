//! The moniravique encrypted store: diesel over SQLCipher (DC-2, POL-19),
//! embedded migrations, scoped queries that take the acting staff member,
//! the tamper-evident audit trail, sign-in, and demo/scale seed data.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod assistance;
pub mod audit;
pub mod auth;
pub mod balancing;
pub mod checkpoint;
pub mod contacts;
pub mod enrolment;
pub mod erase;
pub mod erasure;
pub mod error;
pub mod export;
pub mod families_import;
pub mod gate;
pub mod groups;
pub mod import;
pub mod messages;
pub mod models;
pub mod open;
pub mod participants;
pub mod payments;
pub mod planning;
pub mod registers;
pub mod registration;
pub mod retention;
pub mod rights;
pub mod schema;
pub mod scope;
pub mod seed;
pub mod statistics;
pub mod trainer;
pub mod tx;
pub mod usage;

pub use error::StoreError;
pub use open::{open, open_plain, OpenError, Store, StoreKey};
