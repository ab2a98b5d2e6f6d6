//! Monthly statistics in the store (issue 16, POL-11, POL-12, POL-3):
//! the facts counted for a month (`facts`), the monthly run that publishes
//! a release into the frozen ledger (`run`), and the reading of published
//! cells on a laptop (`read`). The rules of disclosure control are the
//! domain's (`domain::statistics`).

pub mod facts;
pub mod read;
pub mod run;
