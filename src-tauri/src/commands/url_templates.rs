//! URL templates (Settings) and the links built from them: directions to a
//! customer's site and the remote-control tools, opened by the system from
//! Rust (the web view names a customer, or a tool and a device; never a URL).

use fieldkit_core::url_templates::{self, UrlTemplates};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn url_templates_get(database: DatabaseHandle<'_>) -> Result<UrlTemplates, ErrorPayload> {
    with_db(database, |db| Ok(url_templates::get_url_templates(db)?)).await
}

#[tauri::command]
pub async fn url_templates_save(
    database: DatabaseHandle<'_>,
    templates: UrlTemplates,
) -> Result<UrlTemplates, ErrorPayload> {
    with_db(database, move |db| Ok(url_templates::save_url_templates(db, &templates)?)).await
}

/// Opens the map at the customer's site (`site_id`, else the primary one).
#[tauri::command]
pub async fn customer_open_directions(
    database: DatabaseHandle<'_>,
    customer_id: Uuid,
    site_id: Option<Uuid>,
) -> Result<(), ErrorPayload> {
    with_db(database, move |db| {
        let link = url_templates::directions_url(db, customer_id, site_id)?;
        crate::opener::open_link(&link, |error| format!("No app on this computer opens the map ({error})."))
    })
    .await
}

/// Launches remote tool number `tool` (Settings' order) for a device; its name.
#[tauri::command]
pub async fn device_launch_remote_tool(
    database: DatabaseHandle<'_>,
    tool: u32,
    device_id: Uuid,
    ticket_id: Option<Uuid>,
) -> Result<String, ErrorPayload> {
    with_db(database, move |db| {
        let (name, link) = url_templates::remote_tool_url(db, tool as usize, device_id, ticket_id)?;
        crate::opener::open_link(&link, |error| {
            format!("No app on this computer opens {name}'s links ({error}): is {name} installed?")
        })?;
        Ok(name)
    })
    .await
}
