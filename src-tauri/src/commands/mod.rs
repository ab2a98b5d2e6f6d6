//! The bodies of the window's commands, one module per area. Each is declared
//! once in the contract (`crates/contract`), which generates its Tauri handler
//! (`crate::contract`): an `async` function that calls the body here with a
//! [`crate::state::Ctx`]. A body takes the signed-in actor, calls one store
//! function or applies one sync operation, and answers its typed value; it
//! holds no rule (the store decides, audits and scopes).

pub mod accounts;
pub mod audit;
pub mod dpo;
pub mod exchange;
pub mod families_import;
pub mod intake;
pub mod office;
pub mod participants;
pub mod session;
pub mod statistics;
pub mod sync;
pub mod trainer;
