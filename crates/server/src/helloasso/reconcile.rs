//! The reconciliation poll (POL-6, POL-10): HelloAsso's notifications may
//! be lost (their retries are not documented), so every `poll_minutes`
//! `serve` lists the organisation's payments
//! (`GET /v5/organizations/{slug}/payments?from&to`) and records each as a
//! notification would ([`super::record`]); a payment already recorded in the
//! same state changes nothing.
//!
//! The window: from the cursor of the last complete pass (app_meta
//! [`CURSOR_KEY`]) minus [`OVERLAP`] (payments whose date precedes their
//! visibility, clocks apart), or [`FIRST_LOOKBACK`] before now on the first
//! pass, to now (exclusive). The cursor moves only when the whole pass was
//! recorded. HelloAsso filters on the payment's `date`, so a state that
//! changes more than [`OVERLAP`] after the payment (a late refund) reaches
//! this server by its notification only; were that one lost, the row keeps
//! its state until the next notification about the payment.
//!
//! `moniravique-server helloasso-reconcile` runs one pass and prints its
//! counts. Logs: counts and codes only.

use super::record::{self, Failure, Fetched};
use super::HelloAsso;
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};
use store::Store;

/// The app_meta key of the end of the last complete pass (RFC 3339).
pub const CURSOR_KEY: &str = "helloasso_poll_cursor";
/// How far before the cursor a pass starts again.
pub const OVERLAP: Duration = Duration::days(3);
/// How far back the first pass looks.
pub const FIRST_LOOKBACK: Duration = Duration::days(31);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Payments HelloAsso listed in the window.
    pub listed: usize,
    pub matched: usize,
    pub unmatched: usize,
    pub skipped: usize,
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>, Failure> {
    store.lock().map_err(|_| Failure::Poisoned)
}

/// One pass at `now` (blocking; the store lock only around reads and
/// records).
pub fn reconcile_once(
    store: &Mutex<Store>,
    helloasso: &HelloAsso,
    now: DateTime<Utc>,
) -> Result<Report, Failure> {
    let cursor = {
        let mut guard = lock(store)?;
        store::open::meta(&mut guard, CURSOR_KEY)?
    }
    .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
    .map(|at| at.with_timezone(&Utc))
    // A cursor in the future (a clock set back) is not trusted.
    .filter(|at| *at <= now);
    let from = match cursor {
        Some(at) => at - OVERLAP,
        None => now - FIRST_LOOKBACK,
    };
    let listed = helloasso.client.payments_between(from, now)?;
    let count = listed.len();
    let fetched: Vec<Fetched> = listed.into_iter().map(Fetched::from).collect();
    let tally = record::record_all(store, helloasso, fetched, None, now)?;
    {
        let mut guard = lock(store)?;
        store::open::set_meta(&mut guard, CURSOR_KEY, &now.to_rfc3339())?;
    }
    Ok(Report {
        listed: count,
        matched: tally.matched,
        unmatched: tally.unmatched,
        skipped: tally.skipped,
    })
}

/// `serve`'s poll: a pass at once, then every [`HelloAsso::poll_every`], on
/// the blocking pool. A failed pass is logged and tried again at the next.
pub async fn run_loop(store: Arc<Mutex<Store>>, helloasso: Arc<HelloAsso>) {
    let mut ticker = tokio::time::interval(helloasso.poll_every());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let store = Arc::clone(&store);
        let helloasso = Arc::clone(&helloasso);
        let pass =
            tokio::task::spawn_blocking(move || reconcile_once(&store, &helloasso, Utc::now()))
                .await;
        match pass {
            Ok(Ok(report)) => tracing::info!(
                listed = report.listed,
                matched = report.matched,
                unmatched = report.unmatched,
                skipped = report.skipped,
                "helloasso reconciliation"
            ),
            Ok(Err(error)) => {
                tracing::warn!(code = error.code(), "helloasso reconciliation failed")
            }
            Err(_) => tracing::error!(code = "panic", "a helloasso reconciliation panicked"),
        }
    }
}
