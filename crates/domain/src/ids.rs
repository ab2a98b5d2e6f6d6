//! Typed identifiers. Every row id is a UUID v7 so rows created offline on
//! different laptops never collide and sort by creation time.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::fmt;

/// A new time-ordered id (UUID v7) as its hyphenated text form: random, or,
/// inside [`with_seeded_ids`], derived from the operation being applied.
pub fn new_id() -> String {
    SEED.with(|seed| match seed.borrow_mut().as_mut() {
        Some(seed) => seed.next(),
        None => uuid::Uuid::now_v7().to_string(),
    })
}

struct Seed {
    operation: String,
    millis: u64,
    counter: u64,
}

impl Seed {
    fn next(&mut self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.operation.as_bytes());
        hash.update(self.counter.to_be_bytes());
        self.counter += 1;
        let digest = hash.finalize();
        let mut random = [0u8; 10];
        random.copy_from_slice(&digest[..10]);
        uuid::Builder::from_unix_timestamp_millis(self.millis, &random)
            .into_uuid()
            .to_string()
    }
}

thread_local! {
    static SEED: RefCell<Option<Seed>> = const { RefCell::new(None) };
}

/// Runs `f` with [`new_id`] deriving its ids from `operation` (the id of a
/// sync operation) and `millis` (its time): the laptop, the server and a
/// replay after a pull create the same rows with the same ids (DC-5). The ids
/// are still UUID v7, time-ordered by the operation's time.
pub fn with_seeded_ids<T>(operation: &str, millis: u64, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<Seed>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            SEED.with(|seed| *seed.borrow_mut() = previous);
        }
    }
    let previous = SEED.with(|seed| {
        seed.borrow_mut().replace(Seed {
            operation: operation.to_owned(),
            millis,
            counter: 0,
        })
    });
    let _reset = Reset(previous);
    f()
}

macro_rules! typed_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
        )]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new() -> Self {
                Self(new_id())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

typed_id!(
    StaffId,
    "Id of a staff account (pseudonymous; safe in logs)."
);
typed_id!(
    ParticipantId,
    "Id of a participant (pseudonymous; safe in logs and the audit trail)."
);
typed_id!(
    DeviceId,
    "Id of the device (laptop) a change or a read came from."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_increase() {
        let a = new_id();
        let b = new_id();
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
        assert!(a < b, "v7 ids sort by creation time");
    }
}

#[cfg(test)]
mod seeded_tests {
    use super::*;

    #[test]
    fn dc_5_seeded_ids_repeat_for_the_same_operation_and_differ_otherwise() {
        let first = with_seeded_ids("op-1", 1_700_000_000_000, || (new_id(), new_id()));
        let again = with_seeded_ids("op-1", 1_700_000_000_000, || (new_id(), new_id()));
        let other = with_seeded_ids("op-2", 1_700_000_000_000, new_id);
        assert_eq!(first, again);
        assert_ne!(first.0, first.1);
        assert_ne!(first.0, other);
        let parsed = uuid::Uuid::parse_str(&first.0).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        // Outside, ids are random again.
        assert_ne!(new_id(), new_id());
    }
}
