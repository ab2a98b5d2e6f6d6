//! The objective of the module docs, computed on an assignment: the hard
//! constraints checked, then the [`Score`].

use std::collections::BTreeMap;

use super::{Instance, Proposal, RegistrationInput, Score, Violation};

/// Checks an (edited) assignment against the hard constraints and computes its
/// score. Registrations absent from `assignments` are unplaced.
pub fn evaluate(
    instance: &Instance,
    assignments: &BTreeMap<String, String>,
) -> Result<Proposal, Violation> {
    let groups = first_occurrences(&instance.groups, |g| &g.id);
    let registrations = first_occurrences(&instance.registrations, |r| &r.id);
    let mut assigned: BTreeMap<&str, Vec<&RegistrationInput>> = BTreeMap::new();
    let mut unmet = 0u32;
    for (registration_id, group_id) in assignments {
        let registration = registrations
            .get(registration_id.as_str())
            .ok_or_else(|| Violation::UnknownRegistration(registration_id.clone()))?;
        let group = groups
            .get(group_id.as_str())
            .ok_or_else(|| Violation::UnknownGroup(group_id.clone()))?;
        if !registration.available_slots.contains(&group.slot) {
            return Err(Violation::SlotNotAvailable {
                registration: registration_id.clone(),
                group: group_id.clone(),
            });
        }
        if matches!(&registration.preferred_slot, Some(p) if *p != group.slot) {
            unmet += 1;
        }
        assigned
            .entry(group.id.as_str())
            .or_default()
            .push(registration);
    }
    let mut headcounts = BTreeMap::new();
    let mut age_penalty = 0u64;
    for (id, group) in &groups {
        let people = assigned.get(id).map_or(&[][..], Vec::as_slice);
        let headcount = group.confirmed.saturating_add(people.len() as u32);
        if !people.is_empty() && headcount > group.capacity {
            return Err(Violation::OverCapacity {
                group: id.to_string(),
                headcount,
                capacity: group.capacity,
            });
        }
        headcounts.insert(id.to_string(), headcount);
        let mut brackets: BTreeMap<&str, u64> = group
            .confirmed_brackets
            .iter()
            .map(|(b, &c)| (b.as_str(), u64::from(c)))
            .collect();
        for person in people {
            if let Some(b) = &person.bracket {
                *brackets.entry(b.as_str()).or_default() += 1;
            }
        }
        for c in brackets.values() {
            age_penalty = age_penalty.saturating_add(c.saturating_mul(*c));
        }
    }
    let gap = match (headcounts.values().max(), headcounts.values().min()) {
        (Some(max), Some(min)) => max - min,
        _ => 0,
    };
    let unplaced: Vec<String> = registrations
        .keys()
        .filter(|id| !assignments.contains_key(**id))
        .map(|id| id.to_string())
        .collect();
    let score = Score {
        unplaced: unplaced.len() as u32,
        gap,
        unmet_preferences: unmet,
        age_penalty,
    };
    Ok(Proposal {
        assignments: assignments.clone(),
        unplaced,
        headcounts,
        score,
    })
}

pub(super) fn first_occurrences<T>(items: &[T], id: impl Fn(&T) -> &String) -> BTreeMap<&str, &T> {
    let mut map = BTreeMap::new();
    for item in items {
        map.entry(id(item).as_str()).or_insert(item);
    }
    map
}
