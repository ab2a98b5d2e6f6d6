//! Rectification (POL-24): the DPO corrects one field under a rectification
//! request. The request's log names the field, the time and the DPO; the old
//! value is not kept anywhere (`secure_delete` overwrites the old cell).

use super::register::{actionable, note_action};
use crate::gate;
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::rights::{AgeBracket, RectifiableField, RequestKind};
use domain::{Action, Actor, ErrorCode};

/// A value checked for its field, ready to be written.
enum Value<'a> {
    Text(&'a str),
    OptionalText(Option<&'a str>),
    Flag(bool),
    Count(i32),
}

fn parse_bool(value: &str) -> Result<bool, StoreError> {
    match value {
        "true" | "1" | "oui" | "yes" => Ok(true),
        "false" | "0" | "non" | "no" => Ok(false),
        _ => Err(StoreError::InvalidInput("expected true or false".into())),
    }
}

/// Checks `value` against the rules of `field`.
fn checked(field: RectifiableField, value: &str) -> Result<Value<'_>, StoreError> {
    use RectifiableField as F;
    Ok(match field {
        F::GivenName | F::FamilyName => {
            if value.is_empty() || value.chars().count() > 100 {
                return Err(StoreError::InvalidInput(format!(
                    "{field}: 1 to 100 characters"
                )));
            }
            Value::Text(value)
        }
        F::Email => {
            let ok = value.len() <= 254
                && value.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !value.contains(' ')
                });
            if !ok {
                return Err(StoreError::InvalidInput(
                    "email: not an e-mail address".into(),
                ));
            }
            Value::Text(value)
        }
        F::Phone => {
            let ok = value
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
                && value.chars().filter(char::is_ascii_digit).count() <= 15;
            if !ok {
                return Err(StoreError::InvalidInput(
                    "phone: digits, spaces and + only".into(),
                ));
            }
            Value::OptionalText((!value.is_empty()).then_some(value))
        }
        F::MarketingOptOut => Value::Flag(parse_bool(value)?),
        F::ChildrenCount => Value::Count(
            value
                .parse()
                .ok()
                .filter(|n| (0..=20).contains(n))
                .ok_or_else(|| {
                    StoreError::InvalidInput("children_count: a number from 0 to 20".into())
                })?,
        ),
        F::AgeBrackets => {
            if value
                .split(',')
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .any(|b| AgeBracket::parse(b).is_none())
            {
                return Err(StoreError::InvalidInput(format!(
                    "age_brackets: among {}",
                    AgeBracket::texts().join(", ")
                )));
            }
            Value::Text(value)
        }
        F::Challenges => Value::OptionalText((!value.is_empty()).then_some(value)),
    })
}

/// Corrects one field under a rectification request (POL-24).
pub fn rectify(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    field: RectifiableField,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use RectifiableField as F;
    let value = value.trim();
    gate::run(conn, actor, Action::ParticipantRectify, now, |gate| {
        let request = actionable(gate.conn(), request_id, &[RequestKind::Rectification], now)?;
        let value = checked(field, value)?;
        let person = request.participant_id.clone().unwrap_or_default();
        gate.reach(&person)?;
        let person_stamp = gate.stamp(participants::updated_at, participants::updated_device);
        let family_stamp = gate.stamp(
            family_situations::updated_at,
            family_situations::updated_device,
        );
        let p = participants::table.find(&person);
        let f = family_situations::table.find(&person);
        let conn = gate.conn();
        let changed = match (field, value) {
            (F::Email, Value::Text(email)) => {
                let taken = participants::table
                    .filter(participants::email.eq(email))
                    .filter(participants::id.ne(&person))
                    .count()
                    .get_result::<i64>(conn)?;
                if taken > 0 {
                    return Err(ErrorCode::EmailTaken.into());
                }
                diesel::update(p)
                    .set((participants::email.eq(email), person_stamp))
                    .execute(conn)?
            }
            (F::GivenName, Value::Text(name)) => diesel::update(p)
                .set((participants::given_name.eq(name), person_stamp))
                .execute(conn)?,
            (F::FamilyName, Value::Text(name)) => diesel::update(p)
                .set((participants::family_name.eq(name), person_stamp))
                .execute(conn)?,
            (F::Phone, Value::OptionalText(phone)) => diesel::update(p)
                .set((participants::phone.eq(phone), person_stamp))
                .execute(conn)?,
            (F::MarketingOptOut, Value::Flag(flag)) => diesel::update(p)
                .set((participants::marketing_opt_out.eq(flag), person_stamp))
                .execute(conn)?,
            (F::ChildrenCount, Value::Count(count)) => diesel::update(f)
                .set((family_situations::children_count.eq(count), family_stamp))
                .execute(conn)?,
            (F::AgeBrackets, Value::Text(text)) => {
                let brackets: Vec<&str> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .collect();
                diesel::update(f)
                    .set((
                        family_situations::age_brackets.eq(brackets.join(",")),
                        family_stamp,
                    ))
                    .execute(conn)?
            }
            (F::Challenges, Value::OptionalText(text)) => diesel::update(f)
                .set((family_situations::challenges.eq(text), family_stamp))
                .execute(conn)?,
            _ => return Err(StoreError::InvalidInput(format!("{field}: wrong value"))),
        };
        if changed == 0 {
            return Err(StoreError::refused(ErrorCode::NothingToRectify).with("field", field));
        }
        // POL-24: which field, when, by whom, under which request; no value.
        super::register::log_action(gate, request_id, "rectified", Some(field.as_str()), None)?;
        note_action(gate, request_id, "rectification_in_progress", None, None)
    })
}
