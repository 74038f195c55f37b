use chrono::Utc;
use fieldkit_core::customers::{
    get_customer, list_customers, save_customer, ContactDraft, CustomerDraft, CustomerError, CustomerQuery, SiteDraft,
};
use fieldkit_core::Db;
use uuid::Uuid;

fn harbor_dental() -> CustomerDraft {
    let main_office = Uuid::new_v4();
    CustomerDraft {
        name: "Harbor Dental Group".into(),
        phone: "+1 503 555 0100".into(),
        is_msa: true,
        sites: vec![SiteDraft {
            id: main_office,
            name: "Main office".into(),
            address1: "12 Harbor Way".into(),
            city: "Portland".into(),
            ..Default::default()
        }],
        contacts: vec![ContactDraft {
            id: Uuid::new_v4(),
            site_id: Some(main_office),
            first_name: "Dana".into(),
            last_name: "Reyes".into(),
            title: "Office Manager".into(),
            email: "dana.reyes@harbordental.example".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn search(db: &Db, words: &str) -> Vec<String> {
    list_customers(db, &CustomerQuery { search: words.into(), limit: None })
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .collect()
}

#[test]
fn a_saved_customer_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fieldkit.db");
    let id = {
        let db = Db::open(&path).unwrap();
        save_customer(&db, &harbor_dental(), Utc::now()).unwrap().id
    };
    let db = Db::open(&path).unwrap();
    let customer = get_customer(&db, id).unwrap();
    assert_eq!(customer.name, "Harbor Dental Group");
    assert!(customer.is_msa);
    assert!(customer.sites[0].is_primary);
    assert_eq!(customer.contacts[0].site_id, Some(customer.sites[0].id));
    let rows = list_customers(&db, &CustomerQuery::default()).unwrap();
    assert_eq!((rows[0].city.as_str(), rows[0].site_count, rows[0].contact_count), ("Portland", 1, 1));
}

#[test]
fn editing_replaces_sites_and_contacts_and_keeps_the_id() {
    let db = Db::open_in_memory().unwrap();
    let saved = save_customer(&db, &harbor_dental(), Utc::now()).unwrap();
    let mut draft = harbor_dental();
    draft.id = Some(saved.id);
    draft.name = "Harbor Dental Group LLC".into();
    draft.sites[0].id = saved.sites[0].id;
    draft.contacts.clear();
    let edited = save_customer(&db, &draft, Utc::now()).unwrap();
    assert_eq!(edited.id, saved.id);
    assert_eq!(edited.created_at, saved.created_at);
    assert_eq!(edited.name, "Harbor Dental Group LLC");
    assert!(edited.contacts.is_empty());
    assert_eq!(search(&db, "dana"), Vec::<String>::new(), "the removed contact left the index");
    assert_eq!(search(&db, "llc"), ["Harbor Dental Group LLC"]);
}

#[test]
fn search_matches_prefixes_of_names_sites_and_contacts() {
    let db = Db::open_in_memory().unwrap();
    save_customer(&db, &harbor_dental(), Utc::now()).unwrap();
    save_customer(&db, &CustomerDraft { name: "Maple Street Law".into(), ..Default::default() }, Utc::now()).unwrap();
    assert_eq!(search(&db, "harb"), ["Harbor Dental Group"]);
    assert_eq!(search(&db, "portl"), ["Harbor Dental Group"]);
    assert_eq!(search(&db, "reyes office"), ["Harbor Dental Group"]);
    assert_eq!(search(&db, "dana.reyes@harbordental"), ["Harbor Dental Group"]);
    assert_eq!(search(&db, "maple"), ["Maple Street Law"]);
    assert_eq!(search(&db, ""), ["Harbor Dental Group", "Maple Street Law"]);
    assert!(search(&db, "\"unbalanced OR * NEAR(").is_empty());
}

#[test]
fn bad_input_is_refused_field_by_field_and_nothing_is_written() {
    let db = Db::open_in_memory().unwrap();
    let mut draft = harbor_dental();
    draft.name = String::new();
    draft.contacts[0].email = "dana at harbor".into();
    let Err(CustomerError::Invalid(errors)) = save_customer(&db, &draft, Utc::now()) else {
        panic!("expected validation errors");
    };
    let fields: Vec<_> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(fields, ["name", "contacts.0.email"]);
    assert!(search(&db, "").is_empty());
}

#[test]
fn untrusted_text_is_stored_verbatim() {
    let db = Db::open_in_memory().unwrap();
    let mut draft = harbor_dental();
    draft.name = "<img src=x onerror=alert(1)> Ünïcode 🦷".into();
    let saved = save_customer(&db, &draft, Utc::now()).unwrap();
    assert_eq!(get_customer(&db, saved.id).unwrap().name, draft.name);
}

#[test]
fn editing_a_customer_that_does_not_exist_says_so() {
    let db = Db::open_in_memory().unwrap();
    let mut draft = harbor_dental();
    draft.id = Some(Uuid::new_v4());
    assert!(matches!(save_customer(&db, &draft, Utc::now()), Err(CustomerError::NotFound(_))));
}

#[test]
fn a_site_of_another_customer_cannot_be_taken_over() {
    let db = Db::open_in_memory().unwrap();
    let first = save_customer(&db, &harbor_dental(), Utc::now()).unwrap();
    let mut other = harbor_dental();
    other.name = "Other".into();
    other.sites[0].id = first.sites[0].id;
    other.contacts[0].site_id = Some(first.sites[0].id);
    assert!(save_customer(&db, &other, Utc::now()).is_err());
    assert_eq!(get_customer(&db, first.id).unwrap().sites.len(), 1);
}
