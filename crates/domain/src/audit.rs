//! The tamper-evident audit chain (POL-21): each entry carries the hash of the
//! previous one; [`verify`] walks the chain and names the first broken entry.
//!
//! Entries hold pseudonymous ids only (actor, device, participant), never a
//! name or an e-mail.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry of a chain links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one audit entry that the hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditFields {
    pub seq: i64,
    pub id: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub actor_id: String,
    pub device_id: String,
    pub action: String,
    pub participant_id: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
}

impl AuditFields {
    /// SHA-256 over an unambiguous encoding (length-prefixed fields).
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq = self.seq.to_string();
        let participant = self.participant_id.as_deref().unwrap_or("\u{0}none");
        for part in [
            seq.as_str(),
            &self.id,
            &self.at,
            &self.actor_id,
            &self.device_id,
            &self.action,
            participant,
            &self.outcome,
            &self.prev_hash,
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// A stored entry: its fields and the hash recorded with it.
#[derive(Clone, Debug)]
pub struct StoredEntry {
    pub fields: AuditFields,
    pub hash: String,
}

/// The result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Verification {
    pub ok: bool,
    pub checked: u64,
    /// `seq` of the first entry that does not verify.
    pub first_broken: Option<i64>,
    pub reason: Option<String>,
}

/// Where the chain starts: the genesis hash, or the hash and sequence number of the
/// last entry removed by the retention rule (entries older than 12 months, POL-21).
#[derive(Clone, Debug)]
pub struct Anchor {
    pub prev_hash: String,
    pub next_seq: i64,
}

impl Default for Anchor {
    fn default() -> Self {
        Anchor {
            prev_hash: GENESIS.to_owned(),
            next_seq: 1,
        }
    }
}

/// The head recorded beside the chain (last seq and hash), which detects
/// truncation of the newest entries.
#[derive(Clone, Debug)]
pub struct Head {
    pub last_seq: i64,
    pub last_hash: String,
}

/// Walks entries in the order of their `seq` as stored. Detects an edited entry
/// (its hash no longer matches), a deleted or reordered entry (sequence gap or
/// link to the wrong previous hash) and a truncated tail (head mismatch).
pub fn verify(
    entries: impl IntoIterator<Item = StoredEntry>,
    anchor: &Anchor,
    head: Option<&Head>,
) -> Verification {
    let mut expected_prev = anchor.prev_hash.clone();
    let mut expected_seq = anchor.next_seq;
    let mut checked = 0u64;
    let broken = |seq: i64, checked: u64, reason: String| Verification {
        ok: false,
        checked,
        first_broken: Some(seq),
        reason: Some(reason),
    };
    for entry in entries {
        let seq = entry.fields.seq;
        if seq != expected_seq {
            return broken(
                seq,
                checked,
                format!(
                    "expected entry {expected_seq}, found entry {seq} (missing or moved entry)"
                ),
            );
        }
        if entry.fields.prev_hash != expected_prev {
            return broken(
                seq,
                checked,
                "does not link to the previous entry (deleted or reordered entry)".to_owned(),
            );
        }
        if entry.fields.hash() != entry.hash {
            return broken(
                seq,
                checked,
                "content does not match its hash (edited entry)".to_owned(),
            );
        }
        expected_prev = entry.hash;
        expected_seq += 1;
        checked += 1;
    }
    if let Some(head) = head {
        if head.last_seq != expected_seq - 1 || head.last_hash != expected_prev {
            return broken(
                expected_seq,
                checked,
                format!(
                    "the chain ends before the recorded head (entry {}): newest entries removed",
                    head.last_seq
                ),
            );
        }
    }
    Verification {
        ok: true,
        checked,
        first_broken: None,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let fields = AuditFields {
                    seq,
                    id: format!("id-{seq}"),
                    at: format!("2026-11-25T08:{:02}:00Z", seq % 60),
                    actor_id: "staff-1".into(),
                    device_id: "device-1".into(),
                    action: "participant.profile.read".into(),
                    participant_id: Some(format!("p-{seq}")),
                    outcome: "allowed".into(),
                    prev_hash: prev.clone(),
                };
                let hash = fields.hash();
                prev = hash.clone();
                StoredEntry { fields, hash }
            })
            .collect()
    }

    fn head_of(entries: &[StoredEntry]) -> Head {
        let last = entries.last().unwrap();
        Head {
            last_seq: last.fields.seq,
            last_hash: last.hash.clone(),
        }
    }

    #[test]
    fn pol_21_intact_chain_verifies() {
        let entries = chain(10);
        let head = head_of(&entries);
        let result = verify(entries, &Anchor::default(), Some(&head));
        assert!(result.ok);
        assert_eq!(result.checked, 10);
    }

    #[test]
    fn pol_21_edited_entry_is_named() {
        let mut entries = chain(10);
        let head = head_of(&entries);
        entries[4].fields.participant_id = Some("someone-else".into());
        let result = verify(entries, &Anchor::default(), Some(&head));
        assert!(!result.ok);
        assert_eq!(result.first_broken, Some(5));
    }

    #[test]
    fn pol_21_deleted_entry_is_named() {
        let mut entries = chain(10);
        let head = head_of(&entries);
        entries.remove(6);
        let result = verify(entries, &Anchor::default(), Some(&head));
        assert_eq!(result.first_broken, Some(8));
    }

    #[test]
    fn pol_21_reordered_entries_are_named() {
        let mut entries = chain(10);
        let head = head_of(&entries);
        // Swap the contents of entries 3 and 4 but keep their positions' seq numbers.
        let (a, b) = (entries[2].clone(), entries[3].clone());
        entries[2] = StoredEntry {
            fields: AuditFields {
                seq: 3,
                ..b.fields.clone()
            },
            hash: b.hash,
        };
        entries[3] = StoredEntry {
            fields: AuditFields {
                seq: 4,
                ..a.fields.clone()
            },
            hash: a.hash,
        };
        let result = verify(entries, &Anchor::default(), Some(&head));
        assert_eq!(result.first_broken, Some(3));
    }

    #[test]
    fn pol_21_truncated_tail_is_detected_through_the_head() {
        let mut entries = chain(10);
        let head = head_of(&entries);
        entries.truncate(8);
        let result = verify(entries, &Anchor::default(), Some(&head));
        assert!(!result.ok);
        assert_eq!(result.first_broken, Some(9));
    }
}
