//! The monthly statistics on the server (issue 16; POL-11, POL-12, POL-32).
//!
//! - `serve` releases every month that has ended (in Paris) and is not
//!   released yet, at start and then every [`EVERY`] ([`run_loop`]): the
//!   months after the latest release, or, on a server that never released
//!   one, the previous month only ([`due`]). Each run goes to the blocking
//!   pool and takes the store lock for one month at a time
//!   ([`publish_due`]), as mail delivery and the HelloAsso poll do; a
//!   failed run is logged by its code and tried again at the next tick.
//! - `moniravique-server statistics --month YYYY-MM` releases one month
//!   (by default the previous one) and prints a summary ([`command`]); a
//!   month already released is printed as it was released, unchanged.
//! - `doctor` says which month was released last, and warns when an ended
//!   month waits ([`doctor_line`]).
//!
//! The run is `store::statistics::run::publish`, as the statistics service
//! account (`crate::service::Service::Statistics`, a DPO). Logs hold the
//! month and counts only.

use crate::service::{self, Service};
use crate::ServerError;
use chrono::{DateTime, Utc};
use diesel::sqlite::SqliteConnection;
use domain::statistics::Month;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::statistics::run::{self, RunSummary};
use store::{Store, StoreError};

/// How often `serve` looks for a month to release.
pub const EVERY: Duration = Duration::from_secs(3600);

/// The months to release at `now`, in order: every ended month after
/// `latest`, or only the previous month when nothing was released yet.
pub fn due(latest: Option<Month>, now: DateTime<Utc>) -> Vec<Month> {
    let last_ended = Month::of(now).previous();
    let mut month = latest.map_or(last_ended, Month::next);
    let mut months = Vec::new();
    while month <= last_ended {
        months.push(month);
        month = month.next();
    }
    months
}

fn lock(store: &Mutex<Store>) -> Result<MutexGuard<'_, Store>, StoreError> {
    store
        .lock()
        .map_err(|_| StoreError::Database("the store lock is poisoned".into()))
}

/// Releases every month due at `now` (blocking; the store lock is held for
/// one month's run at a time).
pub fn publish_due(
    store: &Mutex<Store>,
    now: DateTime<Utc>,
) -> Result<Vec<RunSummary>, StoreError> {
    let latest = run::latest_release(lock(store)?.connection())?;
    let mut released = Vec::new();
    for month in due(latest, now) {
        let mut guard = lock(store)?;
        let actor = service::actor(&mut guard, Service::Statistics, now)?;
        released.push(run::publish(guard.connection(), &actor, month, now)?);
    }
    Ok(released)
}

/// `serve`'s task: [`publish_due`] at once, then every [`EVERY`], on the
/// blocking pool.
pub async fn run_loop(store: Arc<Mutex<Store>>) {
    let mut ticker = tokio::time::interval(EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let store = Arc::clone(&store);
        let pass = tokio::task::spawn_blocking(move || publish_due(&store, Utc::now())).await;
        match pass {
            Ok(Ok(released)) => {
                for summary in released {
                    tracing::info!(
                        month = %summary.month,
                        cells = summary.cells,
                        published = summary.published,
                        hidden = summary.hidden,
                        "monthly statistics"
                    );
                }
            }
            Ok(Err(error)) => {
                tracing::warn!(code = %error.code(), "monthly statistics failed")
            }
            Err(_) => tracing::error!(code = "panic", "a monthly statistics run panicked"),
        }
    }
}

/// One line about a release, for people.
pub fn summary_line(summary: &RunSummary) -> String {
    let what = if summary.already_released {
        format!(
            "already released on {}, unchanged",
            summary.published_at.format("%Y-%m-%d %H:%M UTC")
        )
    } else {
        "released".to_owned()
    };
    let mut line = format!(
        "statistics {}: {what}; {} cells, {} published, {} hidden (fewer than 5 people, or protecting one that is)",
        summary.month, summary.cells, summary.published, summary.hidden
    );
    if summary.traces_deleted > 0 {
        line.push_str(&format!(
            "; {} technical traces past 13 months deleted first",
            summary.traces_deleted
        ));
    }
    if summary.ledger_discloses > 0 {
        line.push_str(&format!(
            "; {} earlier figures already described fewer than 5 people (they cannot be withdrawn)",
            summary.ledger_discloses
        ));
    }
    line
}

/// `moniravique-server statistics [--month YYYY-MM]`: releases `month`
/// (default: the previous month) and answers its summary line.
pub fn command(
    store: &mut Store,
    month: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let month = match month {
        None => Month::of(now).previous(),
        Some(text) => Month::parse(text.trim())
            .ok_or_else(|| ServerError::Usage("--month must be a month, YYYY-MM".into()))?,
    };
    let actor = service::actor(store, Service::Statistics, now)?;
    let summary = run::publish(store.connection(), &actor, month, now)?;
    store.checkpoint()?;
    Ok(summary_line(&summary))
}

/// `doctor`'s line: whether every ended month is released (`true`), and
/// what to say.
pub fn doctor_line(conn: &mut SqliteConnection, now: DateTime<Utc>) -> (bool, String) {
    match run::latest_release(conn) {
        Err(error) => (
            false,
            format!("the releases cannot be read [{}]", error.code()),
        ),
        Ok(None) => (
            true,
            "no month released yet (serve releases the previous month at start)".to_owned(),
        ),
        Ok(Some(latest)) => {
            let waiting = due(Some(latest), now);
            match waiting.last() {
                None => (true, format!("{latest} is the latest month released")),
                Some(last) => (
                    false,
                    format!(
                        "{latest} is the latest month released; {last} has ended and waits: \
                         is serve running? `moniravique-server statistics --month {}` releases it",
                        waiting[0]
                    ),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pol_11_the_months_due_follow_the_latest_release_and_start_with_the_previous_one() {
        let month = |text: &str| Month::parse(text).unwrap();
        // 1 December 2026 at 00:30 in Paris is still 30 November in UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        assert_eq!(due(None, now), [month("2026-11")]);
        assert_eq!(due(Some(month("2026-11")), now), []);
        assert_eq!(
            due(Some(month("2026-08")), now),
            [month("2026-09"), month("2026-10"), month("2026-11")]
        );
        let before = now - chrono::Duration::hours(1);
        assert_eq!(due(None, before), [month("2026-10")]);
    }
}
