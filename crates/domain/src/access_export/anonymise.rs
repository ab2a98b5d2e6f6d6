//! Anonymising forum posts kept after an erasure (POL-25b): the person's
//! names, e-mail and phone numbers replaced in the text.

/// What replaces a name, an e-mail or a phone number in an anonymised forum
/// post (POL-25b).
pub const REDACTED: &str = "[supprimé]";

/// Replaces every occurrence of each needle (the person's given name, family
/// name, full name, e-mail, phone number) in a forum post with
/// [`REDACTED`] (POL-25b).
///
/// - Text needles match case-insensitively and ignoring French accents, so
///   `Hélène` also removes `HÉLÈNE` and `Helene` (and decomposed accents);
///   runs of spaces match any whitespace run.
/// - A needle starting or ending with a letter or digit matches only a whole
///   word on that side: `Paul` removes `Paul,` and `Paul's` but leaves
///   `épaule` alone. **Decision**: a short given name inside ordinary words
///   (`Ange` in `changer`) would otherwise wreck the post; the cost is that a
///   nickname glued to the name (`Zorglubette`) stays.
/// - A needle of digits and separators (at least 6 digits) is a phone number:
///   it matches any writing with the same digits (`06 12 34 56 78`,
///   `0612345678`, `06.12.34.56.78`, `+33 6 12 34 56 78`, `+33 (0)6 ...`,
///   `0033 6 ...`): `+33`/`0033` count as the leading `0`.
/// - Needles shorter than 2 characters are ignored. Overlapping or adjacent
///   matches become one [`REDACTED`].
pub fn anonymise_text(body: &str, needles: &[&str]) -> String {
    let folded = fold_with_spans(body);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for needle in needles {
        let needle = needle.trim();
        if needle.chars().count() < 2 {
            continue;
        }
        if let Some(phone) = phone_needle(needle) {
            ranges.extend(phone_matches(body, &phone));
        } else {
            ranges.extend(text_matches(body, &folded, needle));
        }
    }
    if ranges.is_empty() {
        return body.to_owned();
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut cursor = 0;
    for (start, end) in merged {
        out.push_str(&body[cursor..start]);
        out.push_str(REDACTED);
        cursor = end;
    }
    out.push_str(&body[cursor..]);
    out
}

/// One folded character of the body and the byte span of the original
/// character it comes from (one original character may give 0, 1 or 2).
#[derive(Clone, Copy)]
struct Folded {
    c: char,
    start: usize,
    end: usize,
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Lower case, French accents removed, whitespace runs as one space.
fn fold_char(c: char, out: &mut Vec<char>) {
    for lower in c.to_lowercase() {
        match lower {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.extend(['o', 'e']),
            'æ' => out.extend(['a', 'e']),
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if is_combining(c) => {}
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
}

fn fold_with_spans(text: &str) -> Vec<Folded> {
    let mut out: Vec<Folded> = Vec::with_capacity(text.len());
    let mut buffer = Vec::with_capacity(2);
    for (start, c) in text.char_indices() {
        buffer.clear();
        fold_char(c, &mut buffer);
        let end = start + c.len_utf8();
        for &f in &buffer {
            if f == ' ' && out.last().is_some_and(|last| last.c == ' ') {
                // A whitespace run folds to one space, spanning the whole run.
                if let Some(last) = out.last_mut() {
                    last.end = end;
                }
                continue;
            }
            out.push(Folded { c: f, start, end });
        }
    }
    out
}

fn fold_needle(needle: &str) -> Vec<char> {
    fold_with_spans(needle).into_iter().map(|f| f.c).collect()
}

fn text_matches(body: &str, folded: &[Folded], needle: &str) -> Vec<(usize, usize)> {
    let pattern = fold_needle(needle);
    let n = pattern.len();
    let mut found = Vec::new();
    if n == 0 || folded.len() < n {
        return found;
    }
    let needs_left_boundary = pattern[0].is_alphanumeric();
    let needs_right_boundary = pattern[n - 1].is_alphanumeric();
    for i in 0..=folded.len() - n {
        if !folded[i..i + n]
            .iter()
            .zip(&pattern)
            .all(|(f, p)| f.c == *p)
        {
            continue;
        }
        let first = folded[i];
        let last = folded[i + n - 1];
        // Never split an original character (e.g. "œ" folded to "oe").
        if i > 0 && folded[i - 1].start == first.start {
            continue;
        }
        if i + n < folded.len() && folded[i + n].start == last.start {
            continue;
        }
        // Combining accents after the last letter belong to the match.
        let mut end = last.end;
        while let Some(c) = body[end..].chars().next().filter(|c| is_combining(*c)) {
            end += c.len_utf8();
        }
        if needs_left_boundary {
            let before = body[..first.start]
                .chars()
                .rev()
                .find(|c| !is_combining(*c));
            if before.is_some_and(char::is_alphanumeric) {
                continue;
            }
        }
        if needs_right_boundary
            && body[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        found.push((first.start, end));
    }
    found
}

fn is_phone_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{202f}' | '.' | '-' | '(' | ')' | '/' | '\u{2010}' | '\u{2011}'
    )
}

/// The canonical digits of a phone needle, or `None` if it is not one.
fn phone_needle(needle: &str) -> Option<String> {
    let phone_like = needle
        .chars()
        .all(|c| c.is_ascii_digit() || c == '+' || is_phone_separator(c));
    let digits = needle.chars().filter(char::is_ascii_digit).count();
    (phone_like && digits >= 6).then(|| phone_canonical(needle))
}

/// Digits of a phone number, French international forms folded to the
/// national one: `+33 (0)6 12...`, `0033 6 12...` → `0612...`; another
/// international number keeps a leading `+`.
fn phone_canonical(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international = if text.trim_start().starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match international {
        Some(rest) => match rest.strip_prefix("33") {
            Some(national) => format!("0{}", national.strip_prefix('0').unwrap_or(national)),
            None => format!("+{rest}"),
        },
        None => digits,
    }
}

fn phone_matches(body: &str, canonical: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let starts_run = c.is_ascii_digit()
            || (c == '+' && chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit()));
        if !starts_run {
            i += 1;
            continue;
        }
        // The run: from here over digits and separators, ending on a digit.
        let mut last_digit = i;
        let mut j = i + 1;
        while j < chars.len() && (chars[j].1.is_ascii_digit() || is_phone_separator(chars[j].1)) {
            if chars[j].1.is_ascii_digit() {
                last_digit = j;
            }
            j += 1;
        }
        // Candidate starts: the run's start and every digit group's first digit;
        // candidate ends: every digit group's last digit.
        let starts: Vec<usize> = (i..=last_digit)
            .filter(|&k| {
                k == i || (chars[k].1.is_ascii_digit() && !chars[k - 1].1.is_ascii_digit())
            })
            .collect();
        let ends: Vec<usize> = (i..=last_digit)
            .filter(|&k| {
                chars[k].1.is_ascii_digit() && (k == last_digit || !chars[k + 1].1.is_ascii_digit())
            })
            .collect();
        for &s in &starts {
            for &e in ends.iter().filter(|&&e| e >= s) {
                let start_byte = chars[s].0;
                let end_byte = chars[e].0 + chars[e].1.len_utf8();
                if phone_canonical(&body[start_byte..end_byte]) == canonical {
                    found.push((start_byte, end_byte));
                }
            }
        }
        i = last_digit + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_canonical_folds_french_international_forms() {
        let cases = [
            ("06 12 34 56 78", "0612345678"),
            ("+33 6 12 34 56 78", "0612345678"),
            ("+33 (0)6 12 34 56 78", "0612345678"),
            ("0033612345678", "0612345678"),
            ("+32 470 12 34 56", "+32470123456"),
            ("0032 470 12 34 56", "+32470123456"),
        ];
        for (input, expected) in cases {
            assert_eq!(phone_canonical(input), expected, "{input}");
        }
        assert_eq!(phone_needle("Zorglub"), None);
        assert_eq!(phone_needle("12 34"), None, "too few digits for a phone");
    }
}
