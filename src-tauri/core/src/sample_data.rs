//! A realistic small MSP, generated: customers with sites and contacts, the
//! technicians, an office admin and a senior technician, devices, tickets
//! with notes over every queue and status, and appointments.
//!
//! `scale` multiplies everything (10 customers and 60 tickets per unit); the
//! benchmark asks for exact sizes with [`SampleSize`]. The app's "Load sample
//! data", the tests and the benchmark all use the same generator. Output is
//! deterministic for a given size and `now`.

mod stock;
mod tickets;
mod time;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::customers::{self, ContactDraft, CustomerDraft, CustomerError, SiteDraft};
use crate::db::Db;
use crate::error::{ErrorCode, ErrorPayload};
use crate::resources::{insert_resource, Resource, ResourceRole};
use crate::settings::{read_settings, write_settings};

/// What was loaded.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SampleDataSummary {
    pub customers: u32,
    pub sites: u32,
    pub contacts: u32,
    pub resources: u32,
    pub devices: u32,
    pub tickets: u32,
    pub notes: u32,
    pub appointments: u32,
    pub time_entries: u32,
    pub stock_items: u32,
    pub stock_movements: u32,
}

/// How much to generate.
#[derive(Debug, Clone)]
pub struct SampleSize {
    pub customers: u32,
    pub tickets: u32,
    /// On average; each ticket gets between 0 and twice this many.
    pub notes_per_ticket: u32,
    /// Days of time entries back from now, for every technician (working days only).
    pub time_days: u32,
    /// Time entries per technician and working day (at most; they end by 23:00 UTC).
    pub time_per_day: u32,
    /// Technicians besides the sample team (the benchmark's 20).
    pub extra_technicians: u32,
    /// Movements in the sample kit's ledger over the last six months.
    pub stock_movements: u32,
}

impl SampleSize {
    pub fn scaled(scale: u32) -> Self {
        let scale = scale.max(1);
        Self {
            customers: 10 * scale,
            tickets: 60 * scale,
            notes_per_ticket: 4,
            time_days: 14,
            time_per_day: 5,
            extra_technicians: 0,
            stock_movements: 400,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SampleDataError {
    #[error("Sample data can only be loaded into an empty database; this one already holds {0} customers.")]
    NotEmpty(u64),
    #[error(transparent)]
    Customer(#[from] CustomerError),
}

impl From<rusqlite::Error> for SampleDataError {
    fn from(error: rusqlite::Error) -> Self {
        SampleDataError::Customer(error.into())
    }
}

impl From<SampleDataError> for ErrorPayload {
    fn from(error: SampleDataError) -> Self {
        match error {
            SampleDataError::NotEmpty(_) => ErrorPayload::new(ErrorCode::Internal, error.to_string()),
            SampleDataError::Customer(inner) => inner.into(),
        }
    }
}

const COMPANIES: &[(&str, &str, bool)] = &[
    ("Harbor Dental Group", "harbordental.example", true),
    ("Maple Street Law", "maplestreetlaw.example", true),
    ("Northwind Logistics", "northwind-logistics.example", true),
    ("Bluebird Veterinary Clinic", "bluebirdvet.example", false),
    ("Cedar & Stone Architects", "cedarstone.example", true),
    ("Riverside Community Church", "riversidechurch.example", false),
    ("Summit Physical Therapy", "summitpt.example", true),
    ("Greenleaf Accounting", "greenleafcpa.example", true),
    ("Orchard Lane Bakery", "orchardlane.example", false),
    ("Pioneer Property Management", "pioneerpm.example", true),
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Portland", "OR", "97205"),
    ("Beaverton", "OR", "97005"),
    ("Vancouver", "WA", "98660"),
    ("Salem", "OR", "97301"),
    ("Hillsboro", "OR", "97124"),
    ("Lake Oswego", "OR", "97034"),
];
const STREETS: &[&str] =
    &["Main St", "Oak Ave", "Burnside Rd", "Harbor Way", "Division St", "Hawthorne Blvd", "Alder St"];
const SITE_NAMES: &[&str] = &["Main office", "Warehouse", "Branch office", "Clinic", "Annex"];
const FIRST_NAMES: &[&str] =
    &["Dana", "Luis", "Priya", "Mark", "Aiko", "Grace", "Tom", "Fatima", "Owen", "Rosa", "Ben", "Mei"];
const LAST_NAMES: &[&str] =
    &["Reyes", "Okafor", "Lindqvist", "Patel", "Nguyen", "Brennan", "Schulz", "Haddad", "Kowalski", "Ito"];
const TITLES: &[&str] =
    &["Office Manager", "Owner", "Practice Administrator", "Bookkeeper", "IT Contact", "Operations Lead"];

/// The sample people of the MSP itself.
fn sample_resources() -> Vec<Resource> {
    let person = |n: u128, first: &str, last: &str, role| Resource {
        id: Uuid::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 + n),
        psa_id: None,
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}.{}@fieldkit-msp.example", first.to_lowercase(), last.to_lowercase()),
        role,
        is_active: true,
    };
    vec![
        person(1, "Alex", "Morgan", ResourceRole::Technician),
        person(2, "Jordan", "Kim", ResourceRole::Technician),
        person(3, "Sam", "Ortiz", ResourceRole::Technician),
        person(4, "Riley", "Chen", ResourceRole::Technician),
        person(5, "Pat", "Delgado", ResourceRole::OfficeAdmin),
        person(6, "Chris", "Whitaker", ResourceRole::SeniorTechnician),
    ]
}

/// A tiny deterministic generator (SplitMix64), so sample data needs no RNG crate.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next(), self.next())
    }

    fn phone(&mut self) -> String {
        format!("+1 503 555 {:04}", self.between(100, 9999))
    }
}

/// The customers for `scale` (10 per unit), as drafts the app could have typed.
pub fn sample_customers(scale: u32) -> Vec<CustomerDraft> {
    let mut sequence = Sequence(0xF1E1_D417);
    let count = COMPANIES.len() * scale.max(1) as usize;
    (0..count)
        .map(|index| {
            let (company, domain, is_msa) = COMPANIES[index % COMPANIES.len()];
            let round = index / COMPANIES.len();
            let name = if round == 0 { company.to_string() } else { format!("{company} {}", round + 1) };
            let site_count = sequence.between(1, 3) as usize;
            let sites: Vec<SiteDraft> = (0..site_count)
                .map(|site_index| {
                    let (city, state, postal_code) = *sequence.pick(CITIES);
                    SiteDraft {
                        id: sequence.uuid(),
                        name: SITE_NAMES[site_index % SITE_NAMES.len()].to_string(),
                        address1: format!("{} {}", sequence.between(10, 4999), sequence.pick(STREETS)),
                        address2: if sequence.between(0, 3) == 0 {
                            format!("Suite {}", sequence.between(100, 450))
                        } else {
                            String::new()
                        },
                        city: city.into(),
                        state: state.into(),
                        postal_code: postal_code.into(),
                        country: "United States".into(),
                        phone: sequence.phone(),
                        is_primary: site_index == 0,
                    }
                })
                .collect();
            let contacts = (0..sequence.between(2, 4))
                .map(|_| {
                    let first = *sequence.pick(FIRST_NAMES);
                    let last = *sequence.pick(LAST_NAMES);
                    ContactDraft {
                        id: sequence.uuid(),
                        site_id: Some(sequence.pick(&sites).id),
                        first_name: first.into(),
                        last_name: last.into(),
                        title: sequence.pick(TITLES).to_string(),
                        phone: sequence.phone(),
                        mobile: if sequence.between(0, 1) == 0 { sequence.phone() } else { String::new() },
                        email: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                    }
                })
                .collect();
            CustomerDraft {
                id: None,
                name,
                phone: sites[0].phone.clone(),
                website: format!("https://www.{domain}"),
                is_msa,
                notes: String::new(),
                sites,
                contacts,
            }
        })
        .collect()
}

/// Loads the sample MSP (10 customers and 60 tickets per `scale`) into an
/// empty database in one transaction.
pub fn load_sample_data(db: &Db, scale: u32, now: DateTime<Utc>) -> Result<SampleDataSummary, SampleDataError> {
    load_sample_data_sized(db, &SampleSize::scaled(scale), now)
}

/// Loads exactly `size` into an empty database in one transaction, and makes
/// the first technician "me".
pub fn load_sample_data_sized(
    db: &Db,
    size: &SampleSize,
    now: DateTime<Utc>,
) -> Result<SampleDataSummary, SampleDataError> {
    let mut drafts = sample_customers(size.customers.div_ceil(10));
    drafts.truncate(size.customers.max(1) as usize);
    let resources = sample_resources();
    let large = size.tickets > 10_000;
    if large {
        // A bigger page cache for the bulk load only (the benchmark's 1,000,000 notes).
        db.write(|tx| tx.execute_batch("PRAGMA cache_size = -262144"))?;
    }
    let result = db.write(|tx| {
        // Counted inside the write transaction so two clicks cannot both load.
        let existing: i64 = tx.query_row("SELECT count(*) FROM customers", [], |row| row.get(0))?;
        if existing > 0 {
            return Err(SampleDataError::NotEmpty(existing as u64));
        }
        let mut summary = SampleDataSummary {
            customers: 0,
            sites: 0,
            contacts: 0,
            resources: 0,
            devices: 0,
            tickets: 0,
            notes: 0,
            appointments: 0,
            time_entries: 0,
            stock_items: 0,
            stock_movements: 0,
        };
        let mut customer_refs = Vec::with_capacity(drafts.len());
        for draft in &drafts {
            let draft = customers::validate_draft(draft).map_err(CustomerError::Invalid)?;
            let id = customers::store::write_customer(tx, &draft, now)?;
            summary.customers += 1;
            summary.sites += draft.sites.len() as u32;
            summary.contacts += draft.contacts.len() as u32;
            customer_refs.push(tickets::CustomerRef {
                id,
                name: draft.name.clone(),
                site_ids: draft.sites.iter().map(|site| site.id).collect(),
                contacts: draft
                    .contacts
                    .iter()
                    .map(|contact| (contact.id, format!("{} {}", contact.first_name, contact.last_name)))
                    .collect(),
            });
        }
        for resource in &resources {
            insert_resource(tx, resource)?;
            summary.resources += 1;
        }
        let technicians: Vec<(Uuid, String)> = resources
            .iter()
            .filter(|resource| resource.role == ResourceRole::Technician)
            .map(|resource| (resource.id, format!("{} {}", resource.first_name, resource.last_name)))
            .collect();
        let mut sequence = Sequence(0x7E11_C0DE);
        let counts = tickets::generate(
            tx,
            &mut sequence,
            &customer_refs,
            &technicians,
            size.tickets,
            size.notes_per_ticket,
            now,
        )?;
        summary.devices = counts.devices;
        summary.tickets = counts.tickets;
        summary.notes = counts.notes;
        summary.appointments = counts.appointments;
        let mut timed: Vec<Uuid> = technicians.iter().map(|(id, _)| *id).collect();
        for extra in 0..size.extra_technicians {
            let resource = Resource {
                id: Uuid::from_u128(0x5eed_0000_0000_0000_0000_0001_0000_0000 + u128::from(extra)),
                psa_id: None,
                first_name: "Bench".into(),
                last_name: format!("Technician {:02}", extra + 1),
                email: format!("bench.tech{:02}@fieldkit-msp.example", extra + 1),
                role: ResourceRole::Technician,
                is_active: true,
            };
            insert_resource(tx, &resource)?;
            summary.resources += 1;
            timed.push(resource.id);
        }
        let ticket_rows: Vec<i64> = {
            let mut statement = tx.prepare("SELECT row FROM tickets ORDER BY row DESC LIMIT 5000")?;
            let rows = statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        summary.time_entries =
            time::generate(tx, &mut sequence, &timed, &ticket_rows, size.time_days, size.time_per_day, now)?;
        let (items, movements) = stock::generate(tx, &mut sequence, &ticket_rows, size.stock_movements, now)?;
        summary.stock_items = items;
        summary.stock_movements = movements;
        let mut settings = read_settings(tx)?;
        if settings.me.is_none() {
            settings.me = Some(technicians[0].0);
        }
        if settings.company_name.is_empty() {
            settings.company_name = "Fieldkit MSP".into();
        }
        if settings.scheduling_link_template.is_empty() {
            settings.scheduling_link_template =
                "https://timezest.example/fieldkit-msp/alex-morgan?ticket={ticket}".into();
        }
        write_settings(tx, &settings)?;
        Ok(summary)
    });
    if large {
        db.write(|tx| tx.pragma_update(None, "cache_size", crate::db::CACHE_KIB))?;
    }
    result
}
