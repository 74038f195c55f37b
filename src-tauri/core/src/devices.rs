//! Devices (PSA configuration items) at a customer.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{uuid_column, Db, DbError};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Device {
    pub id: Uuid,
    pub name: String,
    pub device_type: String,
    pub serial_number: String,
    pub rmm_agent_installed: bool,
}

/// A customer's devices by name.
pub fn list_devices(db: &Db, customer_id: Uuid) -> Result<Vec<Device>, DbError> {
    Ok(db.read(|connection| {
        connection
            .prepare_cached(
                "SELECT id, name, device_type, serial_number, rmm_agent_installed FROM devices
                 WHERE customer_id = ?1 ORDER BY name",
            )?
            .query_map([customer_id.to_string()], |row| {
                Ok(Device {
                    id: uuid_column(row, 0)?,
                    name: row.get(1)?,
                    device_type: row.get(2)?,
                    serial_number: row.get(3)?,
                    rmm_agent_installed: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?)
}
