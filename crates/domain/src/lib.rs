//! Domain core of the moniravique staff desktop: roles and the access policy,
//! the audit chain, sign-in throttling rules and time display. Pure functions,
//! time passed in; no Tauri, no diesel (Invariant, see ARCHITECTURE.md).
#![forbid(unsafe_code)]

pub mod access;
pub mod access_export;
pub mod actions;
pub mod attendance_import;
pub mod audit;
pub mod balancing;
pub mod contact_list;
pub mod deadlines;
pub mod enrolment;
pub mod errors;
pub mod families_import;
mod html;
pub mod ids;
pub mod intake;
pub mod messages;
pub mod payments;
pub mod retention;
pub mod rights;
pub mod signin;
pub mod staff;
pub mod statistics;
pub mod time;
pub mod vocabulary;

pub use access::{authorize, Access, Actor, Category, Denied, Role, Scope};
pub use actions::Action;
pub use errors::{Details, ErrorCode};
pub use ids::{new_id, DeviceId, ParticipantId, StaffId};
