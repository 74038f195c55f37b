//! Checks a customer draft field by field and returns it cleaned (trimmed,
//! NUL-free), or every problem at once.

use std::collections::HashSet;

use super::CustomerDraft;
use crate::validation::{FieldError, FieldErrors};

// Autotask's limits for the same fields.
const NAME_MAX: usize = 100;
const LINE_MAX: usize = 128;
const NOTES_MAX: usize = 4000;

pub fn validate_draft(draft: &CustomerDraft) -> Result<CustomerDraft, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut clean = CustomerDraft {
        id: draft.id,
        name: errors.text("name", &draft.name, true, NAME_MAX),
        phone: errors.phone("phone", &draft.phone),
        website: errors.text("website", &draft.website, false, 255),
        is_msa: draft.is_msa,
        notes: errors.text("notes", &draft.notes, false, NOTES_MAX),
        sites: Vec::with_capacity(draft.sites.len()),
        contacts: Vec::with_capacity(draft.contacts.len()),
    };

    let mut site_ids = HashSet::new();
    for (index, site) in draft.sites.iter().enumerate() {
        let field = |name: &str| format!("sites.{index}.{name}");
        if !site_ids.insert(site.id) {
            errors.add(field("name"), "This site appears twice.");
        }
        let mut site = site.clone();
        site.name = errors.text(&field("name"), &site.name, true, NAME_MAX);
        site.address1 = errors.text(&field("address1"), &site.address1, false, LINE_MAX);
        site.address2 = errors.text(&field("address2"), &site.address2, false, LINE_MAX);
        site.city = errors.text(&field("city"), &site.city, false, LINE_MAX);
        site.state = errors.text(&field("state"), &site.state, false, 40);
        site.postal_code = errors.text(&field("postal_code"), &site.postal_code, false, 20);
        site.country = errors.text(&field("country"), &site.country, false, LINE_MAX);
        site.phone = errors.phone(&field("phone"), &site.phone);
        clean.sites.push(site);
    }
    let primaries: Vec<usize> =
        clean.sites.iter().enumerate().filter(|(_, site)| site.is_primary).map(|(index, _)| index).collect();
    for index in primaries.iter().skip(1) {
        errors.add(format!("sites.{index}.is_primary"), "Only one site can be the primary site.");
    }
    if primaries.is_empty() {
        if let Some(first) = clean.sites.first_mut() {
            first.is_primary = true;
        }
    }

    let mut contact_ids = HashSet::new();
    for (index, contact) in draft.contacts.iter().enumerate() {
        let field = |name: &str| format!("contacts.{index}.{name}");
        if !contact_ids.insert(contact.id) {
            errors.add(field("first_name"), "This contact appears twice.");
        }
        let mut contact = contact.clone();
        contact.first_name = errors.text(&field("first_name"), &contact.first_name, true, 50);
        contact.last_name = errors.text(&field("last_name"), &contact.last_name, true, 50);
        contact.title = errors.text(&field("title"), &contact.title, false, 50);
        contact.phone = errors.phone(&field("phone"), &contact.phone);
        contact.mobile = errors.phone(&field("mobile"), &contact.mobile);
        contact.email = errors.email(&field("email"), &contact.email);
        if let Some(site_id) = contact.site_id {
            if !site_ids.contains(&site_id) {
                errors.add(field("site_id"), "Choose one of this customer's sites.");
            }
        }
        clean.contacts.push(contact);
    }

    errors.into_result().map(|()| clean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::{ContactDraft, SiteDraft};
    use uuid::Uuid;

    fn draft() -> CustomerDraft {
        let site = Uuid::new_v4();
        CustomerDraft {
            name: "Harbor Dental Group".into(),
            sites: vec![SiteDraft { id: site, name: "Main office".into(), ..Default::default() }],
            contacts: vec![ContactDraft {
                id: Uuid::new_v4(),
                site_id: Some(site),
                first_name: "Dana".into(),
                last_name: "Reyes".into(),
                email: "dana@harbor-dental.example".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_good_draft_passes_and_its_first_site_becomes_primary() {
        let clean = validate_draft(&draft()).unwrap();
        assert!(clean.sites[0].is_primary);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut bad = draft();
        bad.name = "  ".into();
        bad.phone = "not a number".into();
        bad.contacts[0].email = "dana@".into();
        bad.contacts[0].last_name = String::new();
        bad.contacts[0].site_id = Some(Uuid::new_v4());
        bad.sites[0].name = "<b>".repeat(200);
        let errors = validate_draft(&bad).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["name", "phone", "sites.0.name", "contacts.0.last_name", "contacts.0.email", "contacts.0.site_id"]
        );
    }

    #[test]
    fn two_primary_sites_are_refused() {
        let mut bad = draft();
        bad.sites[0].is_primary = true;
        bad.sites.push(SiteDraft { id: Uuid::new_v4(), name: "Annex".into(), is_primary: true, ..Default::default() });
        assert_eq!(fields(&validate_draft(&bad).unwrap_err()), ["sites.1.is_primary"]);
    }
}
