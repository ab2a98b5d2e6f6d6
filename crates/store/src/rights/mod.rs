//! The rights-request register and the DPO's per-person operations
//! (POL-7, POL-23..28, POL-38): register a request with its channel and date of
//! receipt, check the requester's identity, follow its status against the
//! deadlines ([`register`]), rectify fields without keeping the old value
//! ([`rectify`], POL-24), decide objections, unsubscribe at once and record
//! consents ([`consents`], POL-7, POL-26).
//!
//! The rules (statuses, steps, what is refused when) are the domain's
//! (`domain::rights`); this module loads a request's facts, asks the domain,
//! and writes the answer. Every function runs through the gate
//! (`crate::gate`): authorised, one transaction, the request's own log
//! (`rights_request_actions`) and the audit trail (POL-21), refusals included.

pub mod consents;
pub mod rectify;
pub mod register;

pub(crate) use consents::preferences_of;
pub use consents::{
    decide_objection, preferences, record_consent, unsubscribe, ConsentEvent, Preferences,
};
pub use rectify::rectify;
pub(crate) use register::actionable;
pub use register::{
    advance, list_requests, note_action, paris_today, register_request, request_detail, ActionRow,
    NewRequest, RequestDetail, RequestRow,
};
