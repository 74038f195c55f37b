//! The categories of change and the fields each one records.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeCategory {
    PasswordChange,
    NewHardware,
    NewUser,
    NetworkChange,
    SoftwareLicense,
    FileShare,
    Application,
    Other,
}

/// One field of a category's form.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub required: bool,
    /// A yes/no field (e.g. admin rights), flagged in lists when "yes".
    pub flag: bool,
}

/// A category's form: its fields, and the label of its secret if it has one.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CategoryForm {
    pub category: ChangeCategory,
    pub label: String,
    pub fields: Vec<FieldSpec>,
    pub secret_label: Option<String>,
}

pub const ALL: [ChangeCategory; 8] = [
    ChangeCategory::PasswordChange,
    ChangeCategory::NewHardware,
    ChangeCategory::NewUser,
    ChangeCategory::NetworkChange,
    ChangeCategory::SoftwareLicense,
    ChangeCategory::FileShare,
    ChangeCategory::Application,
    ChangeCategory::Other,
];

impl ChangeCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeCategory::PasswordChange => "password_change",
            ChangeCategory::NewHardware => "new_hardware",
            ChangeCategory::NewUser => "new_user",
            ChangeCategory::NetworkChange => "network_change",
            ChangeCategory::SoftwareLicense => "software_license",
            ChangeCategory::FileShare => "file_share",
            ChangeCategory::Application => "application",
            ChangeCategory::Other => "other",
        }
    }

    pub(crate) fn parse(text: &str) -> ChangeCategory {
        ALL.into_iter().find(|category| category.as_str() == text).unwrap_or(ChangeCategory::Other)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeCategory::PasswordChange => "Password change",
            ChangeCategory::NewHardware => "New hardware",
            ChangeCategory::NewUser => "New user / user account",
            ChangeCategory::NetworkChange => "Network change or addition",
            ChangeCategory::SoftwareLicense => "New software license",
            ChangeCategory::FileShare => "New file share",
            ChangeCategory::Application => "New application / LOB program",
            ChangeCategory::Other => "Other",
        }
    }

    /// (key, label, required, flag)
    pub(crate) fn specs(self) -> &'static [(&'static str, &'static str, bool, bool)] {
        match self {
            ChangeCategory::PasswordChange => &[
                ("system", "System / account", true, false),
                ("belongs_to", "Belongs to", false, false),
                ("reason", "Reason", false, false),
                ("vault_reference", "Where the new password is stored (vault reference)", true, false),
            ],
            ChangeCategory::NewHardware => &[
                ("hardware_type", "Type", true, false),
                ("make", "Make", false, false),
                ("model", "Model", false, false),
                ("serial", "Serial number", false, false),
                ("location", "Location", false, false),
                ("warranty_end", "Warranty end", false, false),
            ],
            ChangeCategory::NewUser => &[
                ("username", "Username", true, false),
                ("system", "System (e.g. Active Directory, Microsoft 365)", true, false),
                ("groups", "Groups and privileges", false, false),
                ("admin_rights", "Admin rights", false, true),
                ("licence", "Licence assigned", false, false),
            ],
            ChangeCategory::NetworkChange => &[
                ("device", "Device", false, false),
                ("what_changed", "What changed (IP, VLAN, DHCP, firewall rule, Wi-Fi…)", true, false),
                ("before", "Before", false, false),
                ("after", "After", true, false),
            ],
            ChangeCategory::SoftwareLicense => &[
                ("product", "Product", true, false),
                ("seats", "Seats", false, false),
                ("expiry", "Expiry", false, false),
                ("vendor", "Vendor", false, false),
            ],
            ChangeCategory::FileShare => &[
                ("path", "Path", true, false),
                ("server", "Server", false, false),
                ("permissions", "Permissions granted", false, false),
            ],
            ChangeCategory::Application => &[
                ("name", "Name", true, false),
                ("version", "Version", false, false),
                ("installed_on", "Installed on", false, false),
                ("vendor_contact", "Vendor contact", false, false),
            ],
            ChangeCategory::Other => &[("details", "Details", true, false)],
        }
    }

    pub fn secret_label(self) -> Option<&'static str> {
        match self {
            ChangeCategory::PasswordChange => Some("New password (optional, encrypted)"),
            ChangeCategory::SoftwareLicense => Some("License key (encrypted)"),
            _ => None,
        }
    }
}

/// Every category's form, for the UI.
pub fn category_forms() -> Vec<CategoryForm> {
    ALL.into_iter()
        .map(|category| CategoryForm {
            category,
            label: category.label().into(),
            fields: category
                .specs()
                .iter()
                .map(|(key, label, required, flag)| FieldSpec {
                    key: (*key).into(),
                    label: (*label).into(),
                    required: *required,
                    flag: *flag,
                })
                .collect(),
            secret_label: category.secret_label().map(Into::into),
        })
        .collect()
}
