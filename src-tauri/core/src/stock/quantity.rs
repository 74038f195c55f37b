//! Quantities as the technician types them: whole numbers, with clear
//! messages for anything else.

use crate::validation::FieldErrors;

/// The most of one item a technician carries or moves at once.
pub(crate) const MAX_QUANTITY: i64 = 100_000;

/// What a typed quantity may be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowed {
    /// 1 and up (received, used, returned, reorder quantity).
    Positive,
    /// 0 and up (counted, reorder level, initial quantity).
    ZeroOrMore,
    /// Any non-zero signed amount (an adjustment).
    NonZeroSigned,
}

/// Parses `value` (spaces, a leading `+` and thousands separators are
/// fine); on a problem, records a message for `field` and returns `None`.
pub(crate) fn parse_quantity(errors: &mut FieldErrors, field: &str, value: &str, allowed: Allowed) -> Option<i64> {
    let cleaned: String = value.trim().chars().filter(|c| *c != ',' && *c != '_' && !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        errors.add(field, "Required.");
        return None;
    }
    let (negative, digits) = match cleaned.as_bytes()[0] {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(
            field,
            if digits.contains('.') { "Enter a whole number, such as 3." } else { "Enter a number, such as 3." },
        );
        return None;
    }
    let magnitude: i64 = match digits.parse::<i64>() {
        Ok(value) if value <= MAX_QUANTITY => value,
        _ => {
            errors.add(field, "That is more than 100,000; enter a smaller number.");
            return None;
        }
    };
    let value = if negative { -magnitude } else { magnitude };
    let problem = match allowed {
        Allowed::Positive if value < 1 => Some("Enter 1 or more."),
        Allowed::ZeroOrMore if value < 0 => Some("Enter 0 or more."),
        Allowed::NonZeroSigned if value == 0 => Some("Enter the change, such as -2 or +3."),
        _ => None,
    };
    match problem {
        Some(message) => {
            errors.add(field, message);
            None
        }
        None => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str, allowed: Allowed) -> Result<i64, String> {
        let mut errors = FieldErrors::default();
        match parse_quantity(&mut errors, "quantity", value, allowed) {
            Some(value) => Ok(value),
            None => Err(errors.into_result().unwrap_err()[0].message.clone()),
        }
    }

    #[test]
    fn typed_numbers_are_read_generously() {
        assert_eq!(parse(" 12 ", Allowed::Positive), Ok(12));
        assert_eq!(parse("1,000", Allowed::Positive), Ok(1000));
        assert_eq!(parse("+3", Allowed::NonZeroSigned), Ok(3));
        assert_eq!(parse("-2", Allowed::NonZeroSigned), Ok(-2));
        assert_eq!(parse("0", Allowed::ZeroOrMore), Ok(0));
    }

    #[test]
    fn bad_numbers_get_messages() {
        assert_eq!(parse("", Allowed::Positive), Err("Required.".into()));
        assert_eq!(parse("three", Allowed::Positive), Err("Enter a number, such as 3.".into()));
        assert_eq!(parse("1.5", Allowed::Positive), Err("Enter a whole number, such as 3.".into()));
        assert_eq!(parse("-1", Allowed::Positive), Err("Enter 1 or more.".into()));
        assert_eq!(parse("0", Allowed::Positive), Err("Enter 1 or more.".into()));
        assert_eq!(parse("-1", Allowed::ZeroOrMore), Err("Enter 0 or more.".into()));
        assert_eq!(parse("0", Allowed::NonZeroSigned), Err("Enter the change, such as -2 or +3.".into()));
        assert!(parse("100001", Allowed::Positive).unwrap_err().contains("100,000"));
        assert!(parse("99999999999999999999999", Allowed::Positive).unwrap_err().contains("100,000"));
        assert_eq!(parse("--2", Allowed::NonZeroSigned), Err("Enter a number, such as 3.".into()));
        assert_eq!(parse("1e3", Allowed::Positive), Err("Enter a number, such as 3.".into()));
    }
}
