//! Staff accounts (issue 14): who may manage whose account, the password
//! rule every new password passes (POL-18), and the one-time codes the
//! office hands out. Pure: randomness and time are passed in.
//!
//! **Password rule** (CNIL, délibération n° 2022-100, case of a password
//! used alone): at least 12 characters mixing upper case, lower case, digits
//! and special characters, or at least 14 characters of any kind; at most
//! [`MAX_PASSWORD_CHARS`]; not built on a common password (the stem of the
//! password, lower-cased, de-leeted, with its leading and trailing digits
//! and symbols removed, is not in `common_passwords.txt`: the stems of the
//! 10,000 most common passwords of the zxcvbn project's list, MIT licence,
//! plus common French words); and not containing the user name.

use crate::access::Role;
use crate::errors::ErrorCode;

/// The shortest password with all four kinds of characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The shortest password without the four kinds.
pub const MIN_PLAIN_PASSWORD_CHARS: usize = 14;
/// The longest password accepted (argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// How long an enrolment code works unless the office says otherwise (hours).
pub const DEFAULT_CODE_HOURS: i64 = 72;
/// The longest lifetime an enrolment code may be given (hours).
pub const MAX_CODE_HOURS: i64 = 14 * 24;

const COMMON: &str = include_str!("common_passwords.txt");

/// May a staff member of role `actor` create, reset or deactivate an
/// account of role `target`? The administrator manages every role but the
/// DPO; the DPO manages DPO accounts (issue 14).
pub fn may_manage(actor: Role, target: Role) -> bool {
    match actor {
        Role::Administrator => target != Role::Dpo,
        Role::Dpo => target == Role::Dpo,
        Role::Trainer | Role::ExternalTrainer | Role::Support => false,
    }
}

/// Why a new password is refused; each is its own error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooSimple,
    Common,
    ContainsUsername,
}

impl PasswordProblem {
    pub fn code(self) -> ErrorCode {
        match self {
            PasswordProblem::TooShort => ErrorCode::PasswordTooShort,
            PasswordProblem::TooLong => ErrorCode::PasswordTooLong,
            PasswordProblem::TooSimple => ErrorCode::PasswordTooSimple,
            PasswordProblem::Common => ErrorCode::PasswordCommon,
            PasswordProblem::ContainsUsername => ErrorCode::PasswordContainsUsername,
        }
    }
}

fn kinds(password: &str) -> usize {
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let special = password.chars().any(|c| !c.is_alphanumeric());
    [lower, upper, digit, special]
        .into_iter()
        .filter(|k| *k)
        .count()
}

/// The password's stem: lower case, leading and trailing non-letters
/// removed, leetspeak read as letters, every other non-letter dropped.
fn stem(password: &str) -> String {
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    core.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' | '€' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .filter(|c| c.is_alphabetic())
        .collect()
}

fn is_common(stem: &str) -> bool {
    stem.is_empty() || COMMON.lines().any(|line| line == stem)
}

/// Checks a new password for `username` against the rule of the module doc.
pub fn check_password(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if length < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if length < MIN_PLAIN_PASSWORD_CHARS && kinds(password) < 4 {
        return Err(PasswordProblem::TooSimple);
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
        return Err(PasswordProblem::ContainsUsername);
    }
    if is_common(&stem(password)) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// The alphabet of one-time passwords: no look-alikes (0/O, 1/l/I).
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time password the office reads out or hands over (first password,
/// reset): four groups of four characters from `random` (at least 16
/// bytes), about 92 bits, with the four kinds of characters so that it
/// passes [`check_password`] itself. The person must change it at their
/// first sign-in.
pub fn one_time_password(random: &[u8]) -> String {
    assert!(random.len() >= 16, "16 random bytes are needed");
    let mut out = String::with_capacity(19);
    for (i, byte) in random.iter().take(16).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()] as char);
    }
    // The four kinds, whatever the bytes were: '-' is the special
    // character; the first group gets a digit, an upper and a lower case letter.
    let mut chars: Vec<char> = out.chars().collect();
    chars[0] = (b'a' + random[0] % 26) as char;
    chars[1] = (b'A' + random[1] % 26) as char;
    chars[2] = (b'2' + random[2] % 8) as char;
    chars.into_iter().collect()
}

/// The usernames the office may give: 3 to 40 characters, lower-case
/// letters, digits, dots, hyphens and underscores, starting with a letter.
pub fn valid_username(username: &str) -> bool {
    let n = username.chars().count();
    (3..=40).contains(&n)
        && username.starts_with(|c: char| c.is_ascii_lowercase())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_14_the_administrator_manages_every_role_but_the_dpo_and_the_dpo_the_dpo() {
        for target in Role::ALL {
            assert_eq!(may_manage(Role::Administrator, target), target != Role::Dpo);
            assert_eq!(may_manage(Role::Dpo, target), target == Role::Dpo);
            for actor in [Role::Trainer, Role::ExternalTrainer, Role::Support] {
                assert!(!may_manage(actor, target));
            }
        }
    }

    #[test]
    fn pol_18_passwords_follow_the_cnil_rule() {
        assert_eq!(
            check_password("Ab1!", "x.y"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_password("abcdefghjkmn", "x.y"),
            Err(PasswordProblem::TooSimple),
            "12 characters need the four kinds"
        );
        assert_eq!(check_password("Vx7#kq2!Lm9p", "x.y"), Ok(()));
        assert_eq!(check_password("riviere tranquille", "x.y"), Ok(()));
        assert_eq!(
            check_password(&"a".repeat(MAX_PASSWORD_CHARS + 1), "x.y"),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn pol_18_common_passwords_are_refused_even_dressed_up() {
        for common in [
            "Password123!",
            "P@ssw0rd2024!",
            "Motdepasse2025!",
            "Azertyuiop123!",
            "123456789012345",
            "!!Soleil!!2024##",
            "Moniravique2026!",
        ] {
            assert_eq!(
                check_password(common, "x.y"),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn pol_18_a_password_may_not_contain_the_user_name() {
        assert_eq!(
            check_password("Xq7!formatrice.a-2026", "formatrice.a"),
            Err(PasswordProblem::ContainsUsername)
        );
    }

    #[test]
    fn issue_14_one_time_passwords_pass_the_rule_and_differ() {
        let a = one_time_password(&[7u8; 16]);
        let b = one_time_password(&(0u8..16).collect::<Vec<_>>());
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 19);
        for code in [a, b] {
            assert_eq!(check_password(&code, "someone"), Ok(()), "{code}");
        }
    }

    #[test]
    fn issue_14_user_names_are_plain() {
        assert!(valid_username("formatrice.a"));
        assert!(!valid_username("Formatrice"));
        assert!(!valid_username("a b"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("1abc"));
    }
}
