//! Domain core of the moniravique staff desktop: roles and the access policy,
//! the audit chain, sign-in throttling rules and time display. Pure functions,
//! time passed in; no Tauri, no diesel (Invariant, see ARCHITECTURE.md).
#![forbid(unsafe_code)]

pub mod access;
pub mod access_export;
pub mod attendance_import;
pub mod audit;
pub mod balancing;
pub mod contact_list;
pub mod deadlines;
mod html;
pub mod ids;
pub mod messages;
pub mod retention;
pub mod signin;
pub mod time;

pub use access::{authorize, Access, Actor, Category, Denied, Role, Scope};
pub use ids::{new_id, DeviceId, ParticipantId, StaffId};
