use chrono::Utc;
use fieldkit_core::customers::{list_customers, validate_draft, CustomerQuery};
use fieldkit_core::resources::{list_resources, ResourceRole};
use fieldkit_core::sample_data::{load_sample_data, sample_customers, SampleDataError};
use fieldkit_core::Db;

#[test]
fn the_sample_msp_has_ten_customers_and_its_people() {
    let db = Db::open_in_memory().unwrap();
    let summary = load_sample_data(&db, 1, Utc::now()).unwrap();
    assert_eq!(summary.customers, 10);
    assert!(summary.sites >= 10 && summary.contacts >= 20);
    let customers = list_customers(&db, &CustomerQuery::default()).unwrap();
    assert_eq!(customers.len(), 10);
    assert!(customers.iter().any(|c| c.is_msa) && customers.iter().any(|c| !c.is_msa));
    let people = list_resources(&db).unwrap();
    let count = |role| people.iter().filter(|p| p.role == role).count();
    assert_eq!(
        (count(ResourceRole::Technician), count(ResourceRole::OfficeAdmin), count(ResourceRole::SeniorTechnician)),
        (4, 1, 1)
    );
}

#[test]
fn loading_twice_is_refused_and_changes_nothing() {
    let db = Db::open_in_memory().unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    assert!(matches!(load_sample_data(&db, 1, Utc::now()), Err(SampleDataError::NotEmpty(10))));
    assert_eq!(list_customers(&db, &CustomerQuery::default()).unwrap().len(), 10);
}

#[test]
fn scale_multiplies_customers_and_every_draft_is_valid_and_deterministic() {
    let drafts = sample_customers(30);
    assert_eq!(drafts.len(), 300);
    assert!(drafts.iter().all(|draft| validate_draft(draft).is_ok()));
    let again = sample_customers(30);
    assert_eq!(drafts[123].contacts[0].email, again[123].contacts[0].email);
    let names: std::collections::HashSet<_> = drafts.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names.len(), 300, "names are unique");
}
