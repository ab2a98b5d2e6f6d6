//! One cell to one value of a registration. Each reader answers the value,
//! or the kind of problem (never the cell's content).

use super::{labels::normalise, Cell, Programme};
use crate::intake::Problem;
use crate::rights::AgeBracket;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// The cell as text: trimmed, `None` when blank. Whole numbers lose their
/// `.0`; dates are `jj/mm/aaaa`.
pub(super) fn text(cell: &Cell) -> Result<Option<String>, Problem> {
    Ok(match cell {
        Cell::Empty => None,
        Cell::Text(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        Cell::Number(n) => Some(number_text(*n)),
        Cell::Bool(b) => Some(if *b { "oui" } else { "non" }.to_owned()),
        Cell::Date(at) => Some(at.format("%d/%m/%Y").to_string()),
        Cell::Error => return Err(Problem::Malformed),
    })
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A yes or a no; `None` for a blank cell (no answer).
pub(super) fn yes_no(cell: &Cell) -> Result<Option<bool>, Problem> {
    match cell {
        Cell::Bool(b) => Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => Ok(Some(false)),
        Cell::Number(_) | Cell::Date(_) | Cell::Error => Err(Problem::Malformed),
        Cell::Empty => Ok(None),
        Cell::Text(text) if matches!(text.trim(), "✓" | "✔" | "☑" | "✅") => Ok(Some(true)),
        Cell::Text(text) => {
            let word = normalise(text);
            match word.as_str() {
                "" if text.trim().is_empty() => Ok(None),
                "oui" | "o" | "yes" | "y" | "x" | "1" | "true" | "vrai" | "ok" | "d accord" => {
                    Ok(Some(true))
                }
                "non" | "n" | "no" | "0" | "false" | "faux" => Ok(Some(false)),
                _ => Err(Problem::Malformed),
            }
        }
    }
}

/// Midnight (or the time written) in Paris, as UTC. A local time skipped
/// when summer time starts is read one hour later.
fn paris(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    Paris
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            Paris
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
}

/// A date written as text: `jj/mm/aaaa`, `jj-mm-aaaa`, `jj.mm.aaaa` or
/// `aaaa-mm-jj`.
fn date_text(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        .filter(|date| date.year() >= 1900)
}

/// The certification (POL-35): a date cell, a date as text, or a yes
/// (recorded at `now`, the time of the import: see the module's decisions).
/// `None` when absent or no.
pub(super) fn certification(
    cell: &Cell,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Problem> {
    match cell {
        Cell::Date(at) => paris(*at).map(Some).ok_or(Problem::Malformed),
        Cell::Text(text) => match date_text(text) {
            Some(date) => paris(date.and_time(chrono::NaiveTime::MIN))
                .map(Some)
                .ok_or(Problem::Malformed),
            None => Ok(yes_no(cell)?.filter(|yes| *yes).map(|_| now)),
        },
        _ => Ok(yes_no(cell)?.filter(|yes| *yes).map(|_| now)),
    }
}

/// A whole number (`2`, `2 enfants`).
pub(super) fn count(cell: &Cell) -> Result<Option<i32>, Problem> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.fract() == 0.0 && (0.0..=1000.0).contains(n) => Ok(Some(*n as i32)),
        Cell::Number(n) if n.fract() == 0.0 => Err(Problem::OutOfRange),
        Cell::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
            let rest = &text[digits.len()..];
            if digits.is_empty()
                || digits.len() > 4
                || !rest.chars().all(|c| c.is_alphabetic() || c == ' ')
            {
                return Err(Problem::Malformed);
            }
            digits.parse().map(Some).map_err(|_| Problem::Malformed)
        }
        _ => Err(Problem::Malformed),
    }
}

/// The bracket of a child of `age` years.
fn bracket_of(age: u32) -> Option<AgeBracket> {
    AgeBracket::ALL
        .iter()
        .copied()
        .find(|bracket| bounds(*bracket).is_some_and(|(low, high)| (low..=high).contains(&age)))
}

fn bounds(bracket: AgeBracket) -> Option<(u32, u32)> {
    let (low, high) = bracket.as_str().split_once('-')?;
    Some((low.parse().ok()?, high.parse().ok()?))
}

/// One age or range: `5`, `5 ans`, `8 mois`, `4-6`, `4 à 6 ans`.
fn one_age(part: &str) -> Result<AgeBracket, Problem> {
    let words = normalise(&part.replace(['–', '—', '-'], " a "));
    let mut numbers = Vec::new();
    let mut months = false;
    for word in words.split(' ') {
        match word {
            "" | "a" | "ans" | "an" | "years" | "year" | "yrs" | "y" | "old" | "to" => {}
            "mois" | "months" | "month" => months = true,
            number => numbers.push(number.parse::<u32>().map_err(|_| Problem::Malformed)?),
        }
    }
    let age = |n: u32| if months { n / 12 } else { n };
    match numbers[..] {
        [one] => bracket_of(age(one)).ok_or(Problem::OutOfRange),
        [low, high] if low <= high => {
            let (low, high) = (bracket_of(age(low)), bracket_of(age(high)));
            match (low, high) {
                (Some(a), Some(b)) if a == b => Ok(a),
                (None, _) | (_, None) => Err(Problem::OutOfRange),
                _ => Err(Problem::Malformed),
            }
        }
        _ => Err(Problem::Malformed),
    }
}

/// Children's ages as brackets: one or several per cell.
pub(super) fn ages(cell: &Cell) -> Result<Vec<AgeBracket>, Problem> {
    match cell {
        Cell::Empty => Ok(Vec::new()),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => bracket_of(*n as u32)
            .map(|b| vec![b])
            .ok_or(Problem::OutOfRange),
        Cell::Text(text) => {
            let spaced = format!(" {} ", text.replace(['\n', ';', ',', '/', '+', '&'], " , "));
            spaced
                .replace(" et ", " , ")
                .replace(" and ", " , ")
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(one_age)
                .collect()
        }
        _ => Err(Problem::Malformed),
    }
}

/// Slots: several per cell, separated by `;`, `,` or new lines.
pub(super) fn slots(cell: &Cell) -> Result<Vec<String>, Problem> {
    Ok(text(cell)?
        .map(|text| {
            text.split(['\n', ';', ','])
                .map(|slot| slot.trim().to_owned())
                .filter(|slot| !slot.is_empty())
                .collect()
        })
        .unwrap_or_default())
}

/// A programme named by its name (without case or accents) or its id.
pub(super) fn programme(cell: &Cell, programmes: &[Programme]) -> Result<Option<String>, Problem> {
    let Some(text) = text(cell)? else {
        return Ok(None);
    };
    let wanted = normalise(&text);
    programmes
        .iter()
        .find(|p| p.id == text || normalise(&p.name) == wanted)
        .map(|p| Some(p.id.clone()))
        .ok_or(Problem::Unknown)
}

/// A phone number; a number cell of 9 digits gets its leading zero back.
pub(super) fn phone(cell: &Cell) -> Result<Option<String>, Problem> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => {
            let digits = number_text(*n);
            Ok(Some(if digits.len() == 9 {
                format!("0{digits}")
            } else {
                digits
            }))
        }
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    #[test]
    fn pol_7_yes_no_and_an_empty_cell_is_no_answer() {
        for yes in ["oui", "OUI ", "x", "X", "1", "vrai", "Yes", "true", "✓"] {
            assert_eq!(yes_no(&t(yes)), Ok(Some(true)), "{yes}");
        }
        for no in ["non", "Non", "0", "faux", "no", "FALSE"] {
            assert_eq!(yes_no(&t(no)), Ok(Some(false)), "{no}");
        }
        assert_eq!(yes_no(&Cell::Empty), Ok(None));
        assert_eq!(yes_no(&t("   ")), Ok(None));
        assert_eq!(yes_no(&Cell::Bool(true)), Ok(Some(true)));
        assert_eq!(yes_no(&Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(yes_no(&t("peut-être")), Err(Problem::Malformed));
        assert_eq!(yes_no(&Cell::Number(2.0)), Err(Problem::Malformed));
    }

    #[test]
    fn pol_35_certification_from_a_date_cell_a_date_text_or_a_yes() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
        // Midnight in Paris (winter: UTC+1) is 23:00 the day before in UTC.
        let expected = Utc.with_ymd_and_hms(2025, 3, 13, 23, 0, 0).unwrap();
        let cell = Cell::Date(date.and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(certification(&cell, now()), Ok(Some(expected)));
        assert_eq!(certification(&t("14/03/2025"), now()), Ok(Some(expected)));
        assert_eq!(certification(&t("2025-03-14"), now()), Ok(Some(expected)));
        assert_eq!(certification(&t("oui"), now()), Ok(Some(now())));
        assert_eq!(certification(&Cell::Bool(true), now()), Ok(Some(now())));
        assert_eq!(certification(&t("non"), now()), Ok(None));
        assert_eq!(certification(&Cell::Empty, now()), Ok(None));
        assert_eq!(
            certification(&t("31/02/2025"), now()),
            Err(Problem::Malformed)
        );
        assert_eq!(
            certification(&Cell::Number(45000.0), now()),
            Err(Problem::Malformed)
        );
    }

    #[test]
    fn ages_become_brackets() {
        use AgeBracket::*;
        assert_eq!(ages(&t("4-6")), Ok(vec![Preschool]));
        assert_eq!(ages(&t("5")), Ok(vec![Preschool]));
        assert_eq!(ages(&Cell::Number(9.0)), Ok(vec![Child]));
        assert_eq!(
            ages(&t("3 ans, 8 ans et 14 ans")),
            Ok(vec![Infant, Child, Teen])
        );
        assert_eq!(ages(&t("18 mois / 12–15")), Ok(vec![Infant, Teen]));
        assert_eq!(ages(&t("8 à 10 ans")), Ok(vec![Child]));
        assert_eq!(ages(&t("0-2")), Ok(vec![Infant]));
        assert_eq!(ages(&t("")), Ok(vec![]));
        assert_eq!(ages(&t("3-8")), Err(Problem::Malformed));
        assert_eq!(ages(&t("25")), Err(Problem::OutOfRange));
        assert_eq!(ages(&t("petit")), Err(Problem::Malformed));
    }

    #[test]
    fn counts_phones_slots_and_programmes() {
        assert_eq!(count(&Cell::Number(2.0)), Ok(Some(2)));
        assert_eq!(count(&t("3 enfants")), Ok(Some(3)));
        assert_eq!(count(&t("deux")), Err(Problem::Malformed));
        assert_eq!(count(&Cell::Number(1.5)), Err(Problem::Malformed));
        assert_eq!(
            phone(&Cell::Number(612_345_678.0)),
            Ok(Some("0612345678".into()))
        );
        assert_eq!(phone(&t(" 06 12 ")), Ok(Some("06 12".into())));
        assert_eq!(
            slots(&t("mardi soir; jeudi matin\nsamedi")),
            Ok(vec![
                "mardi soir".into(),
                "jeudi matin".into(),
                "samedi".into()
            ])
        );
        let programmes = [Programme {
            id: "p-1".into(),
            name: "Parents sereins".into(),
        }];
        assert_eq!(
            programme(&t("PARENTS SEREINS"), &programmes),
            Ok(Some("p-1".into()))
        );
        assert_eq!(programme(&t("p-1"), &programmes), Ok(Some("p-1".into())));
        assert_eq!(programme(&t("Autre"), &programmes), Err(Problem::Unknown));
        assert_eq!(programme(&Cell::Empty, &programmes), Ok(None));
    }
}
