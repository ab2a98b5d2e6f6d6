//! The audit trail, its chain verification and the server's anomaly alerts,
//! for the DPO (POL-21, ROLE-5).

use crate::error::UiError;
use crate::state::Ctx;

pub async fn audit_trail(
    ctx: &Ctx,
    limit: i64,
    offset: i64,
) -> Result<store::audit::AuditPage, UiError> {
    ctx.read(move |conn, actor, now| store::audit::trail_page(conn, actor, limit, offset, now))
        .await
}

pub async fn verify_audit_chain(ctx: &Ctx) -> Result<domain::audit::Verification, UiError> {
    ctx.read(store::audit::verify_chain).await
}

/// The server's anomaly alerts, pulled with the sync.
pub async fn audit_alerts(ctx: &Ctx) -> Result<Vec<store::audit::AlertRow>, UiError> {
    ctx.read(store::audit::alerts).await
}

/// Marks an alert as handled: an operation, so it reaches the server and the
/// DPO's other laptops.
pub async fn acknowledge_alert(ctx: &Ctx, alert_id: String) -> Result<(), UiError> {
    ctx.apply(sync::ops::AcknowledgeAlert { alert_id }).await
}
