//! Field-level checks shared by every form: required text, lengths, phone
//! numbers and email addresses. Messages are written for the technician.

use serde::Serialize;
use ts_rs::TS;

/// One problem with one field. `field` is a path such as `name` or `contacts.1.email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects every problem in a form so the UI can show them all at once.
#[derive(Debug, Default)]
pub struct FieldErrors {
    errors: Vec<FieldError>,
}

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Trims the text, drops NUL characters (the PSA rejects them) and checks
    /// that it is present when required and not longer than `max_chars`.
    pub fn text(&mut self, field: &str, value: &str, required: bool, max_chars: usize) -> String {
        let cleaned: String = value.trim().chars().filter(|c| *c != '\0').collect();
        if required && cleaned.is_empty() {
            self.add(field, "Required.");
        } else if cleaned.chars().count() > max_chars {
            self.add(field, format!("At most {max_chars} characters."));
        }
        cleaned
    }

    /// An optional phone number; empty is fine.
    pub fn phone(&mut self, field: &str, value: &str) -> String {
        let cleaned = self.text(field, value, false, 40);
        if !cleaned.is_empty() && !is_plausible_phone(&cleaned) {
            self.add(field, "Enter a phone number with 6 to 15 digits, such as +1 555 010 2030.");
        }
        cleaned
    }

    /// An optional email address; empty is fine.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let cleaned = self.text(field, value, false, 254);
        if !cleaned.is_empty() && !is_plausible_email(&cleaned) {
            self.add(field, "Enter an email address such as name@example.com.");
        }
        cleaned
    }
}

/// Digits with the usual separators, an optional leading `+` and an optional
/// extension (`x12`, `ext. 12`).
pub fn is_plausible_phone(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let main = match lower.find(['x', 'e']) {
        Some(at) => {
            let extension =
                lower[at..].trim_start_matches("ext.").trim_start_matches("ext").trim_start_matches('x').trim();
            if extension.is_empty() || !extension.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            &lower[..at]
        }
        None => lower.as_str(),
    };
    let main = main.trim();
    let digits = main.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = main
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -().\u{2009}/".contains(c) || (c == '+' && i == 0));
    allowed && (6..=15).contains(&digits)
}

/// One `@`, a local part, and a dotted domain of letters, digits and hyphens.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c)) {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// An error enum with an `Invalid(Vec<FieldError>)` variant: one way to say
/// "this field is wrong" for all of them (`TimeError::invalid("end_at", "…")`).
pub(crate) trait Invalid: Sized {
    fn from_fields(fields: Vec<FieldError>) -> Self;

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::from_fields(vec![FieldError { field: field.into(), message: message.into() }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_people_type_are_accepted() {
        for phone in ["+1 555 010 2030", "(555) 010-2030", "030 1234567", "555.010.2030 x12", "+44 20 7946 0958 ext. 4"]
        {
            assert!(is_plausible_phone(phone), "{phone}");
        }
    }

    #[test]
    fn phones_that_cannot_be_dialled_are_refused() {
        for phone in ["12345", "call me", "555-CALL-NOW", "++1 555 010 2030", "1".repeat(16).as_str(), "555 010 2030 x"]
        {
            assert!(!is_plausible_phone(phone), "{phone}");
        }
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("dana.reyes@harbor-dental.example"));
        for bad in [
            "dana",
            "dana@",
            "@example.com",
            "dana@example",
            "da na@example.com",
            "a@b@c.com",
            "dana@-x.com",
            "dana@example..com",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn text_is_trimmed_and_nul_free_and_required_is_enforced() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.text("name", "  Acme\0 Ltd ", true, 100), "Acme Ltd");
        assert!(errors.is_empty());
        errors.text("name", "   ", true, 100);
        errors.text("city", &"x".repeat(101), false, 100);
        let errors = errors.into_result().unwrap_err();
        assert_eq!(errors[0], FieldError { field: "name".into(), message: "Required.".into() });
        assert_eq!(errors[1].field, "city");
    }
}
