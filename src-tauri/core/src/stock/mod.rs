//! The technician's stock of forms and peripherals. A movement ledger is the
//! truth (received, used, returned, adjusted, counted); the quantity on hand
//! is derived from it and never goes below zero unless the technician says
//! "record anyway", which stays visible on the movement. Parts sealed on a
//! service report are recorded as "used" in the sealing transaction. When
//! items run low, one restock request goes to the office admin.

mod items;
mod ledger;
mod quantity;
mod restock;
mod usage;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::{ErrorCode, ErrorPayload};
use crate::validation::FieldError;

pub(crate) use items::insert_sample_item;
pub use items::{get_item, item_history, list_stock, save_item};
pub(crate) use ledger::{append_movements, insert_movement, refuse_if_short, NewMovement};
pub use ledger::{record_movement, stock_take};
pub use restock::{pending_restock_request, RestockLine, RestockRequest};
pub use usage::{stock_usage, ItemUsage, MonthUsage};

/// What kind of thing an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StockCategory {
    Forms,
    Cables,
    Adapters,
    Storage,
    Other,
}

impl StockCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            StockCategory::Forms => "forms",
            StockCategory::Cables => "cables",
            StockCategory::Adapters => "adapters",
            StockCategory::Storage => "storage",
            StockCategory::Other => "other",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "forms" => StockCategory::Forms,
            "cables" => StockCategory::Cables,
            "adapters" => StockCategory::Adapters,
            "storage" => StockCategory::Storage,
            _ => StockCategory::Other,
        }
    }
}

/// Where an item is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StockLocation {
    Car,
    Bag,
    Office,
}

impl StockLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            StockLocation::Car => "car",
            StockLocation::Bag => "bag",
            StockLocation::Office => "office",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "car" => StockLocation::Car,
            "bag" => StockLocation::Bag,
            _ => StockLocation::Office,
        }
    }
}

/// An item with its quantity on hand (derived from the ledger).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StockItem {
    pub id: Uuid,
    pub name: String,
    pub category: StockCategory,
    pub unit: String,
    pub location: StockLocation,
    pub reorder_level: i64,
    pub reorder_quantity: i64,
    pub notes: String,
    pub on_hand: i64,
    /// At or below the reorder level.
    pub low: bool,
    /// On the pending restock request.
    pub requested: bool,
    pub updated_at: DateTime<Utc>,
}

/// The item form, as typed: numbers arrive as text and are checked here, so
/// every form gets the same field-level messages.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StockItemDraft {
    /// `None` for a new item.
    pub id: Option<Uuid>,
    pub name: String,
    pub category: StockCategory,
    pub unit: String,
    pub location: StockLocation,
    pub reorder_level: String,
    pub reorder_quantity: String,
    pub notes: String,
    /// For a new item: how many are on hand now (recorded as "received").
    pub initial_quantity: String,
}

/// What a movement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MovementKind {
    /// New stock came in (from the office or a supplier): adds.
    Received,
    /// Used on a job (a service report or a ticket): takes away.
    Used,
    /// Brought back into stock unused: adds.
    Returned,
    /// A correction by a signed amount, with a reason.
    Adjusted,
    /// A stock-take: the count typed becomes the quantity on hand.
    Counted,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Received => "received",
            MovementKind::Used => "used",
            MovementKind::Returned => "returned",
            MovementKind::Adjusted => "adjusted",
            MovementKind::Counted => "counted",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "received" => MovementKind::Received,
            "used" => MovementKind::Used,
            "returned" => MovementKind::Returned,
            "counted" => MovementKind::Counted,
            _ => MovementKind::Adjusted,
        }
    }
}

/// The movement form, as typed. `quantity` is a count for received, used
/// and returned; a signed amount (`-2`, `+3`) for adjusted; the counted
/// quantity for counted.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MovementDraft {
    pub item_id: Uuid,
    pub kind: MovementKind,
    pub quantity: String,
    /// Required for an adjustment; optional otherwise.
    pub reason: String,
    /// The ticket the stock was used on or returned from.
    pub ticket_id: Option<Uuid>,
    /// Take the quantity below zero although the ledger says there is not enough.
    pub record_anyway: bool,
}

/// One line of the ledger, as an item's history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StockMovement {
    pub id: Uuid,
    pub item_id: Uuid,
    pub item_name: String,
    pub kind: MovementKind,
    pub delta: i64,
    pub balance_after: i64,
    pub counted: Option<i64>,
    pub reason: String,
    pub report_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub ticket_number: String,
    /// Recorded anyway although it took the stock below zero.
    pub forced: bool,
    pub at: DateTime<Utc>,
}

/// An item's history: the item and its movements, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ItemHistory {
    pub item: StockItem,
    pub movements: Vec<StockMovement>,
    /// More movements exist than were returned.
    pub more: bool,
}

/// The stock list, low items first, with what the navigation badge shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StockList {
    pub items: Vec<StockItem>,
    pub low_count: u32,
    pub pending_request: Option<RestockRequest>,
}

/// One count of a stock-take.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StockCount {
    pub item_id: Uuid,
    /// As typed; an empty count skips the item.
    pub count: String,
}

/// What a recorded movement (or stock-take) did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MovementOutcome {
    pub movements: Vec<StockMovement>,
    /// A restock request was drafted or extended by this change.
    pub restock: Option<RestockRequest>,
}

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    /// Taking this much would leave less than nothing; `fields` names the line.
    #[error("There is not enough in stock for this.")]
    Short(Vec<FieldError>),
    #[error("That stock item no longer exists.")]
    NotFound(Uuid),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for StockError {
    fn from(error: rusqlite::Error) -> Self {
        StockError::Db(DbError::Sqlite(error))
    }
}

impl From<StockError> for ErrorPayload {
    fn from(error: StockError) -> Self {
        match error {
            StockError::Invalid(fields) => ErrorPayload::validation(fields),
            StockError::Short(fields) => {
                let mut payload = ErrorPayload::validation(fields);
                payload.code = ErrorCode::StockShort;
                payload.message =
                    "There is not enough in stock for this. Count again, or record it anyway (it will show).".into();
                payload
            }
            StockError::NotFound(_) => ErrorPayload::not_found(error.to_string()),
            StockError::Db(db) => db.into(),
        }
    }
}

impl crate::validation::Invalid for StockError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        StockError::Invalid(fields)
    }
}
