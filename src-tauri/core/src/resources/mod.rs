//! The MSP's own people (PSA resources): technicians, the office admin and
//! the senior technician. Tickets, appointments and time point at them.

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{Db, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ResourceRole {
    Technician,
    /// Always a secondary resource on tickets raised from the field; schedules techs.
    OfficeAdmin,
    /// Receives discrepancy reports and escalations; holds the weekly meeting.
    SeniorTechnician,
}

impl ResourceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceRole::Technician => "technician",
            ResourceRole::OfficeAdmin => "office_admin",
            ResourceRole::SeniorTechnician => "senior_technician",
        }
    }

    pub(crate) fn parse_or_default(text: &str) -> Self {
        Self::parse(text).unwrap_or(ResourceRole::Technician)
    }

    fn parse(text: &str) -> Option<Self> {
        [ResourceRole::Technician, ResourceRole::OfficeAdmin, ResourceRole::SeniorTechnician]
            .into_iter()
            .find(|role| role.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resource {
    pub id: Uuid,
    pub psa_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: ResourceRole,
    pub is_active: bool,
}

pub fn insert_resource(tx: &Transaction<'_>, resource: &Resource) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO resources (id, psa_id, first_name, last_name, email, role, is_active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            resource.id.to_string(),
            resource.psa_id,
            resource.first_name,
            resource.last_name,
            resource.email,
            resource.role.as_str(),
            resource.is_active
        ],
    )?;
    Ok(())
}

/// Everyone, by role then name.
pub fn list_resources(db: &Db) -> Result<Vec<Resource>, DbError> {
    Ok(db.read(|connection| {
        let mut statement = connection.prepare_cached(
            "SELECT id, psa_id, first_name, last_name, email, role, is_active FROM resources
             ORDER BY CASE role WHEN 'technician' THEN 0 WHEN 'senior_technician' THEN 1 ELSE 2 END, last_name, first_name",
        )?;
        let rows = statement.query_map([], |row| {
            let id: String = row.get(0)?;
            let role: String = row.get(5)?;
            Ok(Resource {
                id: Uuid::parse_str(&id).unwrap_or_default(),
                psa_id: row.get(1)?,
                first_name: row.get(2)?,
                last_name: row.get(3)?,
                email: row.get(4)?,
                role: ResourceRole::parse(&role).unwrap_or(ResourceRole::Technician),
                is_active: row.get(6)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?)
}
