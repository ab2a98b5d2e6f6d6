//! Typed identifiers. Every row id is a UUID v7 so rows created offline on
//! different laptops never collide and sort by creation time.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A new random, time-ordered id (UUID v7) as its hyphenated text form.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

macro_rules! typed_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
