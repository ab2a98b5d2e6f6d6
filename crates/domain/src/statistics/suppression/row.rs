//! Exact sparse rows: integer coefficients (`i128`) over variables (`u32`),
//! sorted by variable, no zero coefficient. Every operation is checked: an
//! overflow is reported ([`Overflow`]), never wrapped, never a panic, and the
//! caller then hides rather than guesses (see the module doc of
//! `suppression`, "Exact arithmetic").
//!
//! A row stands for the line it spans: it is kept *normalised* (coefficients
//! divided by their gcd, the last one, the pivot, positive), which changes
//! neither its span nor any test the engine makes (membership of a span,
//! proportionality).

/// A sparse integer row: `(variable, coefficient)`, sorted by variable, no
/// zero coefficient, no variable twice.
pub(crate) type Row = Vec<(u32, i128)>;

/// An intermediate result did not fit in `i128` (or was `i128::MIN`, which
/// has no opposite): the computation is abandoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// `a * b`, refusing `i128::MIN` so that every coefficient can be negated.
pub(crate) fn mul(a: i128, b: i128) -> Result<i128, Overflow> {
    match a.checked_mul(b) {
        Some(v) if v != i128::MIN => Ok(v),
        _ => Err(Overflow),
    }
}

/// `a - b`, refusing `i128::MIN`.
pub(crate) fn sub(a: i128, b: i128) -> Result<i128, Overflow> {
    match a.checked_sub(b) {
        Some(v) if v != i128::MIN => Ok(v),
        _ => Err(Overflow),
    }
}

/// `a + b`, refusing `i128::MIN`.
pub(crate) fn add(a: i128, b: i128) -> Result<i128, Overflow> {
    match a.checked_add(b) {
        Some(v) if v != i128::MIN => Ok(v),
        _ => Err(Overflow),
    }
}

/// The greatest common divisor of `|a|` and `|b|` (0 only when both are 0).
/// Coefficients are never `i128::MIN` (see [`mul`]), so it fits in `i128`.
pub(crate) fn gcd(a: i128, b: i128) -> i128 {
    let (mut x, mut y) = (a.unsigned_abs(), b.unsigned_abs());
    while y != 0 {
        let t = x % y;
        x = y;
        y = t;
    }
    // |a|, |b| <= i128::MAX, so their gcd is too.
    x as i128
}

/// Divides the row by the gcd of its coefficients and makes its last
/// coefficient (the pivot's) positive. The empty row stays empty.
pub(crate) fn normalise(row: &mut Row) {
    let g = row.iter().fold(0i128, |g, &(_, c)| gcd(g, c));
    let negate = row.last().is_some_and(|&(_, c)| c < 0);
    if g > 1 || negate {
        let g = if negate { -g } else { g };
        for entry in row.iter_mut() {
            // Exact: g divides every coefficient, and |c / g| <= |c|.
            entry.1 /= g;
        }
    }
}

/// The coefficient of `var` in `row` (0 if absent).
pub(crate) fn coefficient(row: &[(u32, i128)], var: u32) -> i128 {
    row.binary_search_by_key(&var, |&(v, _)| v)
        .map_or(0, |i| row[i].1)
}

/// Eliminates `var` from `a` with `b` (both contain it): the normalised
/// `(b_var / g) * a - (a_var / g) * b`, `g = gcd(a_var, b_var)`. The result
/// spans, together with `b`, what `a` and `b` span.
pub(crate) fn eliminate(a: &[(u32, i128)], b: &[(u32, i128)], var: u32) -> Result<Row, Overflow> {
    let (ca, cb) = (coefficient(a, var), coefficient(b, var));
    debug_assert!(ca != 0 && cb != 0, "both rows contain the variable");
    let g = gcd(ca, cb);
    let (fa, fb) = (cb / g, ca / g);
    let mut out = Row::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let (v, c) = match (a.get(i), b.get(j)) {
            (Some(&(va, x)), Some(&(vb, y))) if va == vb => {
                i += 1;
                j += 1;
                (va, sub(mul(fa, x)?, mul(fb, y)?)?)
            }
            (Some(&(va, x)), Some(&(vb, _))) if va < vb => {
                i += 1;
                (va, mul(fa, x)?)
            }
            (Some(&(va, x)), None) => {
                i += 1;
                (va, mul(fa, x)?)
            }
            (_, Some(&(vb, y))) => {
                j += 1;
                (vb, sub(0, mul(fb, y)?)?)
            }
            (None, None) => unreachable!("the loop condition"),
        };
        if c != 0 {
            out.push((v, c));
        }
    }
    normalise(&mut out);
    Ok(out)
}

/// Whether `a` is a rational multiple of `b` (both normalised, non-empty):
/// then they are equal.
#[cfg(test)]
pub(crate) fn proportional(a: &[(u32, i128)], b: &[(u32, i128)]) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_11_gcd_of_signed_and_zero() {
        assert_eq!(gcd(12, -18), 6);
        assert_eq!(gcd(0, -7), 7);
        assert_eq!(gcd(0, 0), 0);
        assert_eq!(gcd(i128::MAX, i128::MAX), i128::MAX);
        assert_eq!(gcd(-i128::MAX, 1), 1);
    }

    #[test]
    fn pol_11_normalise_divides_by_the_gcd_and_makes_the_pivot_positive() {
        let mut row: Row = vec![(1, 6), (4, -9), (7, -3)];
        normalise(&mut row);
        assert_eq!(row, vec![(1, -2), (4, 3), (7, 1)]);
        let mut empty = Row::new();
        normalise(&mut empty);
        assert!(empty.is_empty());
        // A multiple of a normalised row normalises to it.
        let mut multiple: Row = vec![(1, 14), (4, -21), (7, -7)];
        normalise(&mut multiple);
        assert!(proportional(&multiple, &row));
    }

    #[test]
    fn pol_11_eliminate_is_fraction_free_and_exact() {
        // 2x + 3y and 3x + 5z: eliminating x gives 9y - 10z (up to sign).
        let a: Row = vec![(0, 2), (1, 3)];
        let b: Row = vec![(0, 3), (2, 5)];
        let r = eliminate(&a, &b, 0).unwrap();
        assert_eq!(r, vec![(1, -9), (2, 10)]);
        // A row minus itself vanishes.
        assert!(eliminate(&a, &a, 1).unwrap().is_empty());
    }

    #[test]
    fn pol_11_overflow_is_reported_never_wrapped() {
        assert_eq!(mul(i128::MAX, 2), Err(Overflow));
        assert_eq!(sub(i128::MIN + 1, 1), Err(Overflow), "i128::MIN is refused");
        assert_eq!(add(i128::MAX, 1), Err(Overflow));
        let huge = i128::MAX / 3;
        let a: Row = vec![(0, 7), (1, huge)];
        let b: Row = vec![(0, 11), (1, -huge)];
        assert_eq!(eliminate(&a, &b, 0), Err(Overflow));
    }
}
