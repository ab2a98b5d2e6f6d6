//! Sign-in throttling (POL-18): repeated failures slow down, then lock the
//! account for a while. Pure: the current time is passed in.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed before attempts are slowed down.
pub const FREE_FAILURES: u32 = 2;
/// Failures after which the account is locked.
pub const LOCK_AFTER_FAILURES: u32 = 5;
/// How long a locked account stays locked.
pub const LOCK_DURATION_MINUTES: i64 = 15;

/// The stored sign-in state of one account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    /// No attempt is checked before this time (slow-down or lock).
    pub blocked_until: Option<DateTime<Utc>>,
}

/// Why an attempt is refused before the password is even checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too soon after a failure; retry at this time.
    SlowedDown { until: DateTime<Utc> },
    /// The account is locked until this time.
    Locked { until: DateTime<Utc> },
}

/// Whether an attempt may be checked now.
pub fn may_attempt(state: &Attempts, now: DateTime<Utc>) -> Result<(), Refusal> {
    match state.blocked_until {
        Some(until) if until > now => {
            if state.failures >= LOCK_AFTER_FAILURES {
                Err(Refusal::Locked { until })
            } else {
                Err(Refusal::SlowedDown { until })
            }
        }
        _ => Ok(()),
    }
}

/// The state after a failed attempt: after `FREE_FAILURES` the wait doubles
/// (2 s, 4 s, ...); at `LOCK_AFTER_FAILURES` the account is locked for 15 minutes.
pub fn after_failure(state: &Attempts, now: DateTime<Utc>) -> Attempts {
    // A lock that has expired starts a fresh count.
    let previous = match state.blocked_until {
        Some(until) if until <= now && state.failures >= LOCK_AFTER_FAILURES => 0,
        _ => state.failures,
    };
    let failures = previous + 1;
    let blocked_until = if failures >= LOCK_AFTER_FAILURES {
        Some(now + Duration::minutes(LOCK_DURATION_MINUTES))
    } else if failures > FREE_FAILURES {
        Some(now + Duration::seconds(1 << (failures - FREE_FAILURES)))
    } else {
        None
    };
    Attempts {
        failures,
        blocked_until,
    }
}

/// The state after a successful attempt.
pub fn after_success() -> Attempts {
    Attempts::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    }

    #[test]
    fn pol_18_failures_slow_down_then_lock() {
        let mut state = Attempts::default();
        let mut now = t0();
        for _ in 0..FREE_FAILURES {
            assert!(may_attempt(&state, now).is_ok());
            state = after_failure(&state, now);
            assert_eq!(state.blocked_until, None);
        }
        state = after_failure(&state, now);
        assert_eq!(
            may_attempt(&state, now),
            Err(Refusal::SlowedDown {
                until: now + Duration::seconds(2)
            })
        );
        now += Duration::seconds(2);
        assert!(may_attempt(&state, now).is_ok());
        state = after_failure(&state, now);
        now += Duration::seconds(4);
        state = after_failure(&state, now);
        assert_eq!(state.failures, LOCK_AFTER_FAILURES);
        assert_eq!(
            may_attempt(&state, now + Duration::minutes(14)),
            Err(Refusal::Locked {
                until: now + Duration::minutes(15)
            })
        );
        assert!(may_attempt(&state, now + Duration::minutes(15)).is_ok());
    }

    #[test]
    fn pol_18_success_resets() {
        let state = after_failure(&after_failure(&Attempts::default(), t0()), t0());
        assert_eq!(state.failures, 2);
        assert_eq!(after_success(), Attempts::default());
    }

    #[test]
    fn pol_18_expired_lock_starts_a_fresh_count() {
        let locked = Attempts {
            failures: LOCK_AFTER_FAILURES,
            blocked_until: Some(t0()),
        };
        let next = after_failure(&locked, t0() + Duration::minutes(1));
        assert_eq!(next.failures, 1);
        assert_eq!(next.blocked_until, None);
    }
}
