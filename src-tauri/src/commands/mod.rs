//! Tauri commands: each takes the state, calls one store function with the
//! signed-in actor, and maps errors to `UiError`. Every command here must be
//! listed in `store::api::Command`, in `build.rs` and in the capability file
//! (checked by `tests/commands_registry.rs`).

pub mod audit;
pub mod dpo;
pub mod exchange;
pub mod groups;
pub mod office;
pub mod participants;
pub mod planning;
pub mod registrations;
pub mod session;
pub mod sync;
pub mod trainer;
