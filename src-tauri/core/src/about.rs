//! What Settings' "About Fieldkit" shows: the app's name and version as the
//! shell's package information has them (the version the bundles carry).

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AboutApp {
    /// The product name ("Fieldkit").
    pub name: String,
    /// The version of the installed app, e.g. "0.1.0".
    pub version: String,
    /// What it is, in one line.
    pub description: String,
    pub license: String,
}

impl AboutApp {
    /// From the shell's package information (name and version of the app).
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> AboutApp {
        AboutApp {
            name: name.into(),
            version: version.into(),
            description: "The field companion for MSP technicians".into(),
            license: "MIT".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_about_line_carries_the_version_it_is_given() {
        let about = AboutApp::new("Fieldkit", "1.2.3");
        assert_eq!(about.name, "Fieldkit");
        assert_eq!(about.version, "1.2.3");
        assert_eq!(about.license, "MIT");
    }
}
