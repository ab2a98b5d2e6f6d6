//! The server's own accounts (issue 15). The website's signed intake and the
//! payment processor's notifications change participant data on the server,
//! so they act like staff: through the store's one gate, as an actor whose
//! role the access table knows (the office's: registrations and payment
//! status), and every change they make is audited under their account.
//! Their staff rows have no usable password (`!` is no PHC string), so no
//! one can sign in as them; they appear in the office's list of accounts,
//! named for what they are
//! (`docs/decisions/030-registrations-are-their-own-category-of-access.md`).
//!
//! The monthly statistics (issue 16) run as a third account, with the DPO's
//! role: the run counts everyone's technical traces (POL-3), which only the
//! DPO may read, along with enrolments, attendance and questions, and it
//! publishes into the ledger (`statistics.publish`). It reads no one's
//! identity and writes aggregates only (`crate::statistics`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{Actor, DeviceId, Role, StaffId};
use store::schema::staff;
use store::{Store, StoreError};

/// A service that acts on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// The association's website: registrations through the signed intake.
    Website,
    /// HelloAsso: payments from notifications and the reconciliation poll.
    HelloAsso,
    /// The monthly statistics run (issue 16): a DPO, see the module doc.
    Statistics,
}

impl Service {
    /// The account's fixed id (UUID v7-shaped, the same on every server).
    pub fn staff_id(self) -> &'static str {
        match self {
            Service::Website => "00000000-0000-7000-8000-000000005e01",
            Service::HelloAsso => "00000000-0000-7000-8000-000000005e02",
            Service::Statistics => "00000000-0000-7000-8000-000000005e03",
        }
    }

    fn username(self) -> &'static str {
        match self {
            Service::Website => "service.site-web",
            Service::HelloAsso => "service.helloasso",
            Service::Statistics => "service.statistiques",
        }
    }

    fn display_name(self) -> &'static str {
        match self {
            Service::Website => "Site web (inscriptions)",
            Service::HelloAsso => "HelloAsso (paiements)",
            Service::Statistics => "Statistiques mensuelles (service)",
        }
    }

    /// The account's role in the access table.
    pub fn role(self) -> Role {
        match self {
            Service::Website | Service::HelloAsso => Role::Administrator,
            Service::Statistics => Role::Dpo,
        }
    }
}

/// The service's actor on this server, its account created on first use.
pub fn actor(store: &mut Store, service: Service, now: DateTime<Utc>) -> Result<Actor, StoreError> {
    let device = store.device().clone();
    let at = now.naive_utc();
    diesel::insert_into(staff::table)
        .values((
            staff::id.eq(service.staff_id()),
            staff::username.eq(service.username()),
            staff::display_name.eq(service.display_name()),
            staff::role.eq(service.role().as_str()),
            staff::password_hash.eq("!"),
            staff::failed_attempts.eq(0),
            staff::active.eq(true),
            staff::created_at.eq(at),
            staff::updated_at.eq(at),
            staff::updated_device.eq(device.as_str()),
            staff::must_change_password.eq(false),
        ))
        .on_conflict(staff::id)
        .do_nothing()
        .execute(store.connection())?;
    Ok(Actor::new(
        StaffId(service.staff_id().to_owned()),
        service.role(),
        DeviceId(device.as_str().to_owned()),
    ))
}
